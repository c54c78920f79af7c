// The incremental checker of the language in grammar.ts: a small state machine that reads a text word by
// word, knows the set of words that may come next, and scores any text ("grammatical continuation rate").
// It never blocks: after a wrong word it resynchronises (see `advance`) and goes on scoring.
import { VOCAB } from "../vocab.js";
import { ADJECTIVES, AND, DETERMINERS, EATS, INTRANSITIVE_VERBS, IS, NOUNS, PREPOSITIONS, THE, VERBS } from "./grammar.js";

/** Where in a clause the reader is, i.e. what kind of word it expects next. */
type Expect =
  | "subject" // a determiner (a clause starts)
  | "subject-noun" // an adjective or a noun after the subject's determiner
  | "subject-noun-only" // a noun after the subject's adjective
  | "verb"
  | "place-or-and" // after an intransitive verb: a preposition, or "and"
  | "property" // after "is": an adjective or a preposition
  | "np" // a determiner of an object or of a place
  | "np-noun" // an adjective or a noun
  | "np-noun-only" // a noun after an adjective
  | "and" // the clause is complete
  | "lost"; // after a word that fits nowhere: only "and" (a new clause) gets back on track

export interface ReaderState {
  readonly expect: Expect;
  readonly topic: number | null; // the text's first noun (an id), once read
  readonly aboutTopic: boolean; // the current clause's subject started with "the" (and is not the first)
}

export const START: ReaderState = Object.freeze({ expect: "subject", topic: null, aboutTopic: false });

const set = (...lists: (readonly number[])[]): ReadonlySet<number> => new Set(lists.flat());
const ONLY_AND = set([AND]);

/** The ids that may follow in `state`. */
export function allowedIn(state: ReaderState): ReadonlySet<number> {
  switch (state.expect) {
    case "subject":
    case "np":
      return set(DETERMINERS);
    case "subject-noun":
      return state.aboutTopic ? set(ADJECTIVES, [state.topic!]) : set(ADJECTIVES, NOUNS);
    case "subject-noun-only":
      return state.aboutTopic ? set([state.topic!]) : set(NOUNS);
    case "verb":
      return set(VERBS);
    case "place-or-and":
      return set(PREPOSITIONS, [AND]);
    case "property":
      return set(ADJECTIVES, PREPOSITIONS);
    case "np-noun":
      return set(ADJECTIVES, NOUNS);
    case "np-noun-only":
      return set(NOUNS);
    case "and":
    case "lost":
      return ONLY_AND;
  }
}

/** The state after `word` by the structure alone (the topic rule aside); null when it fits nowhere. */
function structural(state: ReaderState, word: number): ReaderState | null {
  const to = (expect: Expect, extra: Partial<ReaderState> = {}): ReaderState => ({ ...state, expect, ...extra });
  const is = (list: readonly number[]): boolean => list.includes(word);
  switch (state.expect) {
    case "subject":
      return is(DETERMINERS) ? to("subject-noun", { aboutTopic: word === THE && state.topic !== null }) : null;
    case "subject-noun":
    case "subject-noun-only":
      if (state.expect === "subject-noun" && is(ADJECTIVES)) return to("subject-noun-only");
      return is(NOUNS) ? to("verb", { topic: state.topic ?? word }) : null;
    case "verb":
      if (is(INTRANSITIVE_VERBS)) return to("place-or-and");
      if (word === EATS) return to("np");
      if (word === IS) return to("property");
      return null;
    case "place-or-and":
      if (word === AND) return to("subject", { aboutTopic: false });
      return is(PREPOSITIONS) ? to("np") : null;
    case "property":
      if (is(ADJECTIVES)) return to("and");
      return is(PREPOSITIONS) ? to("np") : null;
    case "np":
      return is(DETERMINERS) ? to("np-noun") : null;
    case "np-noun":
    case "np-noun-only":
      if (state.expect === "np-noun" && is(ADJECTIVES)) return to("np-noun-only");
      return is(NOUNS) ? to("and") : null;
    case "and":
    case "lost":
      return word === AND ? to("subject", { aboutTopic: false }) : null;
  }
}

/**
 * Reads one word: whether it was allowed, and the state after it. A word that breaks only the topic rule
 * (a wrong noun after "and the") keeps the clause's structure; a word that fits nowhere makes the reader
 * lost until the next "and", where a clause starts again (the topic is kept).
 */
export function advance(state: ReaderState, word: number): { ok: boolean; next: ReaderState } {
  const ok = allowedIn(state).has(word);
  const next = structural(state, word);
  return { ok, next: next ?? { ...state, expect: "lost" } };
}

export interface Check {
  readonly ok: boolean[]; // per word: was it allowed after the words before it
  readonly firstError: number | null; // index of the first word that was not allowed
  readonly rate: number; // share of the scored words that were allowed (NaN when none are scored)
  readonly topic: number | null;
}

/**
 * Checks a whole text (ids). Words before `from` are read but not scored: checkText(ids, promptLength)
 * scores a continuation given its prompt. checkText(encode("the cat sat and the dog")).firstError === 5
 */
export function checkText(ids: readonly number[], from = 0): Check {
  let state = START;
  const ok: boolean[] = [];
  let firstError: number | null = null;
  let good = 0;
  for (let i = 0; i < ids.length; i++) {
    const step = advance(state, ids[i]!);
    ok.push(step.ok);
    if (i >= from) {
      if (step.ok) good++;
      else firstError ??= i;
    }
    state = step.next;
  }
  return { ok, firstError, rate: ids.length > from ? good / (ids.length - from) : NaN, topic: state.topic };
}

/**
 * Per word: is it a word the far rule decides, a noun of a later clause whose subject starts with "the"
 * (so the topic, named in the text's first clause, is the only right word there)?
 * farRuleWords(encode("the cat sat and the dog")) -> [false, false, false, false, false, true]
 */
export function farRuleWords(ids: readonly number[]): boolean[] {
  let state = START;
  return ids.map((w) => {
    const decided = state.aboutTopic && (state.expect === "subject-noun" || state.expect === "subject-noun-only") && NOUNS.includes(w);
    state = advance(state, w).next;
    return decided;
  });
}

/** The state after reading `ids` (allowed or not). */
export function readText(ids: readonly number[]): ReaderState {
  let state = START;
  for (const w of ids) state = advance(state, w).next;
  return state;
}

/** The words that may follow the text `ids`, in id order. allowedNext(encode("the cat")) -> ["sat", "is", "runs", "jumps", "eats"] */
export function allowedNext(ids: readonly number[]): string[] {
  return [...allowedIn(readText(ids))].sort((a, b) => a - b).map((i) => VOCAB[i]!);
}
