// Prompt helpers for the 20-word vocabulary: completing the word being typed, checking every word,
// and the message shown when Enter is pressed on a prompt the model cannot read. Pure functions.
import { isWord, nearestWord, VOCAB } from "@tinylm/model";

/** One word of the prompt: known, still being typed (a prefix of a known word), or unknown. */
export interface WordCheck {
  readonly word: string;
  readonly status: "known" | "partial" | "unknown";
  /** The nearest known word, for unknown words. */
  readonly suggestion?: string;
}

/** The word under the cursor (the text after the last space), or "" when the text ends with a space. */
export function currentWord(text: string): string {
  const match = /(\S*)$/.exec(text);
  return match?.[1] ?? "";
}

/** Known words that start with the current word, in vocabulary order; the exact word comes first. */
export function completions(text: string): string[] {
  const prefix = currentWord(text).toLowerCase();
  if (prefix === "") return [];
  const matches: string[] = VOCAB.filter((w) => w.startsWith(prefix));
  return matches.sort((a, b) => Number(b === prefix) - Number(a === prefix));
}

/** The text with its current word replaced by its first completion and a space; null when none. */
export function completeCurrentWord(text: string): string | null {
  const [first] = completions(text);
  if (first === undefined) return null;
  return text.slice(0, text.length - currentWord(text).length) + first + " ";
}

/** Checks each word; the last word counts as still being typed unless the text ends with whitespace. */
export function checkPrompt(text: string): WordCheck[] {
  const list = text.split(/\s+/).filter((w) => w.length > 0);
  const typing = currentWord(text) !== "";
  return list.map((word, i) => {
    if (isWord(word)) return { word, status: "known" };
    if (typing && i === list.length - 1 && completions(word).length > 0) return { word, status: "partial" };
    return { word, status: "unknown", suggestion: nearestWord(word) };
  });
}

/** Why Enter cannot generate from `text` (null when every word is known), said for a first-time user. */
export function promptProblem(text: string): string | null {
  const checks = checkPrompt(text.trimEnd() + " ");
  if (checks.length === 0) return `type a few words first, e.g. "the cat sat"; the model knows only: ${VOCAB.join(" ")}`;
  const unknown = checks.filter((c) => c.status === "unknown");
  if (unknown.length === 0) return null;
  const list = unknown.map((c) => `"${c.word}" (did you mean "${c.suggestion}"?)`).join(", ");
  const noun = unknown.length === 1 ? "word" : "words";
  return `unknown ${noun} ${list}; the model knows only: ${VOCAB.join(" ")}`;
}
