// The toy language: the checker against hand-written texts, the generator's determinism, and the two
// against each other (every generated text is grammatical; the probes need the topic).
import { describe, expect, it, vi } from "vitest";
import { encode, VOCAB } from "../vocab.js";
import { allowedNext, checkText, farRuleWords } from "./checker.js";
import { TextGenerator } from "./generator.js";
import { NOUNS } from "./grammar.js";

vi.setConfig({ testTimeout: 300_000 }); // generous: a busy 2-core machine

const GRAMMATICAL: [string, string][] = [
  ["a subject and an intransitive verb", "the cat sat"],
  ["a place after the verb", "the small cat sat on the mat"],
  ["the issue's example", "the small cat sat on the mat and a dog runs in the house"],
  ["a transitive verb and its object", "a big dog eats a small mat"],
  ["is with an adjective", "the tree is big"],
  ["is with a place", "the house is under a tree"],
  ["the topic again after many clauses", "the dog runs and a cat sat and a mat is small and a tree jumps over the house and the big dog eats the cat"],
  ["a topic introduced with a", "a cat jumps and the cat sat"],
  ["a clause cut short (a prefix)", "the cat sat on the"],
  ["a noun after a preposition is free", "the cat sat with the dog and the cat runs"],
];

const BROKEN: [string, string, number][] = [
  // name, text, index of the first wrong word
  ["a noun without a determiner", "cat sat", 0],
  ["two determiners", "the a cat", 1],
  ["two adjectives", "the small big cat", 2],
  ["a verb without a subject", "the runs", 1],
  ["two verbs", "the cat sat runs", 3],
  ["eats without an object", "the cat eats and a dog runs", 3],
  ["is without a property", "the cat is and", 3],
  ["a preposition after is big", "the cat is big on the mat", 4],
  ["a place without a noun", "the cat sat on the and", 5],
  ["and twice", "the cat sat and and", 4],
  ["the wrong noun after and the (the topic is cat)", "the cat sat and a dog runs and the dog eats", 9],
  ["the wrong noun after and the big", "the small cat runs and the big tree sat", 7],
  ["a text that starts with and", "and the cat", 0],
];

describe("the checker", () => {
  it.each(GRAMMATICAL)("accepts %s: %j", (_, text) => {
    const check = checkText(encode(text));
    expect(check.firstError).toBeNull();
    expect(check.rate).toBe(1);
  });

  it.each(BROKEN)("rejects %s: %j", (_, text, at) => {
    const check = checkText(encode(text));
    expect(check.firstError).toBe(at);
    expect(check.rate).toBeLessThan(1);
  });

  it("knows the words that may follow", () => {
    expect(allowedNext(encode("the cat"))).toEqual(["sat", "is", "runs", "jumps", "eats"]);
    expect(allowedNext(encode("the cat sat"))).toEqual(["on", "in", "and", "with", "over", "under"]);
    expect(allowedNext(encode("the cat sat and the"))).toEqual(["cat", "small", "big"]);
    expect(allowedNext(encode("the cat sat and a"))).toEqual(["cat", "dog", "mat", "house", "small", "big", "tree"]);
    expect(allowedNext(encode("the cat is"))).toEqual(["on", "in", "with", "small", "big", "over", "under"]);
  });

  it("after a broken clause, waits for and, then reads on", () => {
    const check = checkText(encode("the cat the dog and a dog runs"));
    expect(check.firstError).toBe(2);
    expect(check.ok).toEqual([true, true, false, false, true, true, true, true]);
    expect(allowedNext(encode("the cat the"))).toEqual(["and"]);
  });

  it("marks the words the far rule decides: the noun of a later clause whose subject starts with the", () => {
    const marks = (text: string): string[] => encode(text).map((_, i, ids) => (farRuleWords(ids)[i] ? "^" : "."));
    expect(marks("the cat sat and the dog").join("")).toBe(".....^");
    expect(marks("a cat sat on the mat and the small cat eats the dog").join("")).toBe(".........^...");
    expect(marks("the cat eats a dog and a dog runs with the tree").join("")).toBe(".".repeat(12));
  });

  it("scores only the words from `from` on (a continuation given its prompt)", () => {
    const ids = encode("cat sat and a dog runs");
    expect(checkText(ids).firstError).toBe(0);
    const tail = checkText(ids, 2);
    expect(tail.rate).toBe(1);
    expect(tail.firstError).toBeNull();
  });
});

describe("the generator", () => {
  it("is deterministic by seed", () => {
    const a = new TextGenerator(5);
    const b = new TextGenerator(5);
    const c = new TextGenerator(6);
    const first = a.text({ length: 200 });
    expect(b.text({ length: 200 })).toEqual(first);
    expect(c.text({ length: 200 })).not.toEqual(first);
    expect(a.probe(64)).toEqual(b.probe(64));
  });

  it("writes texts of the asked length that the checker accepts, on every topic", () => {
    const gen = new TextGenerator(1);
    const topics = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const ids = gen.text({ length: 1 + (i % 64) * 3 });
      expect(ids).toHaveLength(1 + (i % 64) * 3);
      const check = checkText(ids);
      expect(check.firstError).toBeNull();
      if (check.topic !== null) topics.add(check.topic);
    }
    expect([...topics].sort()).toEqual([...NOUNS].sort());
  });

  it("writes probes that name the topic only at the start, gap words back, and need it next", () => {
    const gen = new TextGenerator(2);
    for (let i = 0; i < 100; i++) {
      const { ids, topic } = gen.probe(64);
      const check = checkText(ids);
      expect(check.firstError).toBeNull();
      expect(check.topic).toBe(topic);
      const named = ids.map((id, at) => (id === topic ? at : -1)).filter((at) => at >= 0);
      expect(named).toHaveLength(1);
      expect(ids.length - named[0]!).toBeGreaterThan(64);
      expect(ids.slice(-2)).toEqual(encode("and the"));
      const next = allowedNext(ids);
      expect(next.filter((w) => NOUNS.includes(VOCAB.indexOf(w as never)))).toEqual([VOCAB[topic]]);
    }
  });
});
