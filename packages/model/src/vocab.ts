// The fixed 20-word vocabulary (ids 0..19 in the exercise's order) and the word-level tokenizer.
import { ArgumentError, quote, VocabularyError } from "./errors.js";

export const VOCAB = Object.freeze([
  "the", "cat", "dog", "sat", "on", "mat", "a", "is", "in", "house",
  "and", "runs", "with", "small", "big", "jumps", "over", "under", "tree", "eats",
] as const);

export type Word = (typeof VOCAB)[number];

const ID = new Map<string, number>(VOCAB.map((w, i) => [w, i]));

/** Levenshtein distance, for suggesting the nearest known word (or option name). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The vocabulary word closest to `word` by edit distance (ties: the lower id). nearestWord("cta") === "cat".
 * Only the first 32 characters count (the longest word has 5), so a huge input costs no more than a short one.
 */
export function nearestWord(word: string): Word {
  const w = word.slice(0, 32).toLowerCase();
  let best: Word = VOCAB[0];
  let bestDistance = Infinity;
  for (const candidate of VOCAB) {
    const d = editDistance(w, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** True when `word` (any case) is in the vocabulary. */
export function isWord(word: string): boolean {
  return ID.has(word.toLowerCase());
}

/** Splits text into words: case-insensitive, any run of whitespace separates. */
export function words(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w.length > 0);
}

/**
 * Text -> token ids. encode("The  cat sat") -> [0, 1, 3].
 * Throws VocabularyError for an empty text or an unknown word (naming it, its position and the nearest word).
 */
export function encode(text: string): number[] {
  if (typeof text !== "string") throw new ArgumentError("encode", "text", text, "is not a string", `words from the vocabulary, e.g. "the cat sat"`);
  const list = words(text);
  if (list.length === 0) {
    throw new VocabularyError(`vocab: the prompt is empty; expected at least one word from: ${VOCAB.join(", ")}`);
  }
  return list.map((word, position) => {
    const id = ID.get(word.toLowerCase());
    if (id === undefined) {
      const suggestion = nearestWord(word);
      throw new VocabularyError(
        `vocab: unknown word ${quote(word)} at position ${position + 1}; did you mean "${suggestion}"? Known words are: ${VOCAB.join(", ")}`,
        word,
        position,
        suggestion,
      );
    }
    return id;
  });
}

/** Token ids -> text, words joined by single spaces. decode([0, 1, 3]) -> "the cat sat" */
export function decode(ids: readonly number[]): string {
  if (!Array.isArray(ids)) throw new ArgumentError("decode", "ids", ids, "is not an array", `an array of token ids in [0, ${VOCAB.length})`);
  return ids
    .map((id, i) => {
      const word = VOCAB[id];
      if (word === undefined) throw new VocabularyError(`vocab: id ${id} at index ${i} is not in [0, ${VOCAB.length})`);
      return word;
    })
    .join(" ");
}
