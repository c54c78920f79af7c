import { describe, expect, it } from "vitest";
import { VocabularyError } from "./errors.js";
import { decode, encode, nearestWord, VOCAB } from "./vocab.js";

describe("vocabulary", () => {
  it("has the exercise's 20 words in order", () => {
    expect(VOCAB.join(" ")).toBe("the cat dog sat on mat a is in house and runs with small big jumps over under tree eats");
  });

  it("encodes case-insensitively and tolerates extra whitespace", () => {
    expect(encode("  The\tCAT   sat \n")).toEqual([0, 1, 3]);
    expect(decode([0, 1, 3])).toBe("the cat sat");
  });

  it("names an unknown word, its position and the nearest known word", () => {
    const err = (() => {
      try {
        encode("the cta sat");
      } catch (e) {
        return e as VocabularyError;
      }
    })();
    expect(err).toBeInstanceOf(VocabularyError);
    expect(err?.message).toMatch(/unknown word "cta" at position 2; did you mean "cat"\? Known words are: the, cat, dog/);
    expect([err?.word, err?.position, err?.suggestion]).toEqual(["cta", 1, "cat"]);
  });

  it("rejects the empty prompt", () => {
    expect(() => encode("   ")).toThrow(/the prompt is empty/);
  });

  it("rejects ids outside the vocabulary when decoding", () => {
    expect(() => decode([0, 20])).toThrow(/id 20 at index 1 is not in \[0, 20\)/);
  });

  it("quotes a short prefix of a huge unknown word", () => {
    expect(() => encode(`the ${"q".repeat(1_000_000)}`)).toThrow(new RegExp(`^vocab: unknown word "${"q".repeat(60)}"… at position 2; did you mean`));
  });

  it("suggests by edit distance", () => {
    expect(nearestWord("hous")).toBe("house");
    expect(nearestWord("JUMP")).toBe("jumps");
  });
});
