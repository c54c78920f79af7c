import { VOCAB } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { checkPrompt, completeCurrentWord, completions, currentWord, promptProblem } from "./completion.js";

describe("completion", () => {
  it("takes the current word from after the last space", () => {
    expect(currentWord("the ca")).toBe("ca");
    expect(currentWord("the cat ")).toBe("");
    expect(currentWord("")).toBe("");
  });

  it("lists the vocabulary words that start with the current word, in vocabulary order", () => {
    expect(completions("the s")).toEqual(["sat", "small"]);
    expect(completions("the CA")).toEqual(["cat"]);
    expect(completions("the cat ")).toEqual([]);
    expect(completions("the x")).toEqual([]);
  });

  it("puts an exact word before the longer words it starts", () => {
    expect(completions("a")).toEqual(["a", "and"]);
    expect(completions("i")).toEqual(["is", "in"]);
  });

  it("completes the current word and adds a space; null when nothing matches", () => {
    expect(completeCurrentWord("the ca")).toBe("the cat ");
    expect(completeCurrentWord("the dog ju")).toBe("the dog jumps ");
    expect(completeCurrentWord("the zz")).toBeNull();
    expect(completeCurrentWord("the ")).toBeNull();
  });

  it("marks known words, the word being typed, and unknown words with the nearest known word", () => {
    expect(checkPrompt("the cta sa")).toEqual([
      { word: "the", status: "known" },
      { word: "cta", status: "unknown", suggestion: "cat" },
      { word: "sa", status: "partial" },
    ]);
    // once a space follows it, a prefix is no longer being typed
    expect(checkPrompt("sa ")).toEqual([{ word: "sa", status: "unknown", suggestion: "sat" }]);
    // a word no vocabulary word starts with is unknown at once
    expect(checkPrompt("the cq")[1]).toEqual({ word: "cq", status: "unknown", suggestion: "cat" });
  });

  it("explains why a prompt cannot be generated from, naming every unknown word", () => {
    expect(promptProblem("the cat sat")).toBeNull();
    expect(promptProblem("The CAT")).toBeNull();
    expect(promptProblem("the cta sta")).toBe(
      `unknown words "cta" (did you mean "cat"?), "sta" (did you mean "sat"?); the model knows only: ${VOCAB.join(" ")}`,
    );
    expect(promptProblem("   ")).toMatch(/^type a few words first/);
    // on Enter a half-typed word counts as typed
    expect(promptProblem("the ca")).toMatch(/unknown word "ca" \(did you mean "cat"\?\)/);
  });
});
