// A seeded generator of texts in the language of grammar.ts (the training corpus and the test probes).
import { Rng } from "@tinylm/tensor";
import { ADJECTIVES, AND, A, DETERMINERS, EATS, INTRANSITIVE_VERBS, IS, NOUNS, PREPOSITIONS, THE } from "./grammar.js";

export interface TextOptions {
  /** Exactly this many words; the last clause is cut where the length runs out. */
  readonly length: number;
  /** Chance that a clause after the first is about the topic ("and the <topic> ..."); default 0.15. */
  readonly topicRate?: number;
  /** The topic (a noun id); default: drawn. */
  readonly topic?: number;
}

/** The probabilities of the generator's choices (the language allows more; these make a corpus). */
const P_ADJECTIVE = 0.3; // a noun phrase has an adjective
const P_PLACE = 0.6; // an intransitive verb is followed by a place ("on the mat")
const P_IS_ADJECTIVE = 0.4; // "is" takes an adjective, else a place
const P_FIRST_THE = 0.7; // the text starts with "the"

export class TextGenerator {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  private pick(list: readonly number[]): number {
    return list[Math.floor(this.rng.uniform() * list.length)]!;
  }

  private chance(p: number): boolean {
    return this.rng.uniform() < p;
  }

  /** det adj? noun, with the determiner and noun given (or drawn from `nouns`). */
  private nounPhrase(det = this.pick(DETERMINERS), noun = this.pick(this.nouns)): number[] {
    return this.chance(P_ADJECTIVE) ? [det, this.pick(ADJECTIVES), noun] : [det, noun];
  }

  /** The nouns drawn for free positions (all of them, except while writing a probe's gap). */
  private nouns: readonly number[] = NOUNS;

  private verbPhrase(): number[] {
    const r = this.rng.uniform() * 5; // sat, runs, jumps, eats, is equally often
    if (r < 3) {
      const verb = INTRANSITIVE_VERBS[Math.floor(r)]!;
      return this.chance(P_PLACE) ? [verb, this.pick(PREPOSITIONS), ...this.nounPhrase()] : [verb];
    }
    if (r < 4) return [EATS, ...this.nounPhrase()];
    if (this.chance(P_IS_ADJECTIVE)) return [IS, this.pick(ADJECTIVES)];
    return [IS, this.pick(PREPOSITIONS), ...this.nounPhrase()];
  }

  /**
   * One text of exactly `length` words: a first clause whose subject's noun is the topic, then clauses
   * joined by "and"; a later clause is about the topic ("the [adj] <topic>") with chance `topicRate`, else
   * its subject is "a [adj] <any noun>".
   */
  text(options: TextOptions): number[] {
    const { length, topicRate = 0.15 } = options;
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`text: length must be a positive integer; got ${length}`);
    const topic = options.topic ?? this.pick(NOUNS);
    const out = [...this.nounPhrase(this.chance(P_FIRST_THE) ? THE : A, topic), ...this.verbPhrase()];
    while (out.length < length) {
      const subject = this.chance(topicRate) ? this.nounPhrase(THE, topic) : this.nounPhrase(A);
      out.push(AND, ...subject, ...this.verbPhrase());
    }
    return out.slice(0, length);
  }

  /**
   * A far-dependency probe: a text that names its topic in the first clause only, then `gap` or more words
   * of clauses whose subjects start with "a" (no noun in them is the topic), then "and the". The word that must come next (after an
   * optional adjective) is the topic, last seen at least `gap` words back. Returns the ids and the topic.
   */
  probe(gap: number, topic?: number): { ids: number[]; topic: number } {
    const t = topic ?? this.pick(NOUNS);
    const ids = [...this.nounPhrase(this.chance(P_FIRST_THE) ? THE : A, t)];
    const start = ids.length;
    this.nouns = NOUNS.filter((n) => n !== t); // the gap never names the topic
    try {
      ids.push(...this.verbPhrase());
      while (ids.length < start + gap) ids.push(AND, ...this.nounPhrase(A), ...this.verbPhrase());
    } finally {
      this.nouns = NOUNS;
    }
    ids.push(AND, THE);
    return { ids, topic: t };
  }
}
