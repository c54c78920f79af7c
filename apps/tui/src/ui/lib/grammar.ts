// What the language's checker says of a run: the share of generated words it allows and the first it does
// not. The checker only reports; generation never stops for it.
import { checkText, VOCAB } from "@tinylm/model";

export interface RunGrammar {
  readonly rate: number; // allowed generated words / generated words (NaN before the first)
  readonly firstError: number | null; // index into the generated words of the first one not allowed
}

const idOf = (word: string): number => VOCAB.indexOf(word.toLowerCase() as (typeof VOCAB)[number]);

/** The checker's verdict on `words` continuing `prompt` (the prompt is read, not scored). */
export function grammarOf(prompt: readonly string[], words: readonly string[]): RunGrammar {
  const check = checkText([...prompt, ...words].map(idOf), prompt.length);
  return { rate: check.rate, firstError: check.firstError === null ? null : check.firstError - prompt.length };
}

/** The status line's words: "ok (100%)" or `breaks at "dog" (word 7, 93% ok)`. */
export function formatGrammar(words: readonly string[], g: RunGrammar): string {
  if (words.length === 0) return "–";
  const pct = `${Math.round(100 * g.rate)}%`;
  return g.firstError === null ? `ok (${pct})` : `breaks at "${words[g.firstError]}" (word ${g.firstError + 1}, ${pct} ok)`;
}
