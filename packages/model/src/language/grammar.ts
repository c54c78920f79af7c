// The toy language over the 20 words: its word classes and its rules, in one place.
//
//   text    := clause ("and" clause)*
//   clause  := subject verb-phrase
//   subject := det adj? noun
//   verb-phrase := ("sat" | "runs" | "jumps") pp?     intransitive, an optional place
//                | "eats" det adj? noun               transitive, an object
//                | "is" (adj | pp)                    a property or a place
//   pp      := prep det adj? noun
//   det := the | a      adj := small | big      noun := cat | dog | mat | house | tree
//   prep := on | in | with | over | under
//
// The far rule (the topic): the first noun of the text is its topic, and every later clause whose subject
// starts with "the" is about the topic: "the small cat sat and a dog runs and the big cat eats a mat".
// "a" introduces any noun; "the" as a subject refers back. Nouns after a verb or a preposition are free.
// A clause about the topic can come many clauses after the last one, so the word after "and the" can depend
// on a noun hundreds of tokens back: a model that still sees the text's first clause gets it right, one
// whose cache dropped it (a sliding window) can only guess among the five nouns.
//
// There is no punctuation: a clause starts after "and" (or at the text's start), and every other boundary
// follows from the word classes.
import { VOCAB, type Word } from "../vocab.js";

const id = (word: Word): number => VOCAB.indexOf(word);
const ids = (...list: Word[]): readonly number[] => Object.freeze(list.map(id));

export const DETERMINERS = ids("the", "a");
export const ADJECTIVES = ids("small", "big");
export const NOUNS = ids("cat", "dog", "mat", "house", "tree");
export const INTRANSITIVE_VERBS = ids("sat", "runs", "jumps");
export const PREPOSITIONS = ids("on", "in", "with", "over", "under");
export const THE = id("the");
export const A = id("a");
export const AND = id("and");
export const EATS = id("eats");
export const IS = id("is");
export const VERBS = Object.freeze([...INTRANSITIVE_VERBS, EATS, IS]);
