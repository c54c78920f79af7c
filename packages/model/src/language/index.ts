// The toy language: its grammar (word classes), a seeded text generator, and the incremental checker.
export { DETERMINERS, ADJECTIVES, NOUNS, INTRANSITIVE_VERBS, PREPOSITIONS, VERBS } from "./grammar.js";
export { TextGenerator, type TextOptions } from "./generator.js";
export { checkText, farRuleWords, allowedNext, allowedIn, advance, readText, START, type Check, type ReaderState } from "./checker.js";
