import { describe, expect, it } from "vitest";
import { formatGrammar, grammarOf } from "./grammar.js";

const w = (s: string) => s.split(" ");

describe("grammarOf", () => {
  it("finds the first generated word the grammar does not allow (the prompt is read, not scored)", () => {
    expect(grammarOf(w("the cat"), w("sat on the mat"))).toEqual({ rate: 1, firstError: null });
    const g = grammarOf(w("The cat"), w("sat and the dog runs"));
    expect(g.firstError).toBe(3); // "dog": the topic is cat
    expect(g.rate).toBe(4 / 5);
    expect(grammarOf(w("cat"), w("and a dog runs")).firstError).toBeNull(); // after a broken prompt, "and" starts afresh
  });

  it("says it in words, for terminals without colour", () => {
    expect(formatGrammar([], grammarOf(w("the"), []))).toBe("–");
    expect(formatGrammar(w("sat on the mat"), grammarOf(w("the cat"), w("sat on the mat")))).toBe("ok (100%)");
    const words = w("sat and the dog runs");
    expect(formatGrammar(words, grammarOf(w("the cat"), words))).toBe('breaks at "dog" (word 4, 80% ok)');
  });
});
