// Choosing the next token from the last row of logits: greedy (the default), or sampling with
// temperature, top-k and top-p (nucleus) from a seeded generator, so a seed gives the same text everywhere.
import { argmax, Rng, type Tensor } from "@tinylm/tensor";
import { optionsObject } from "./arguments.js";
import { ConfigError } from "./errors.js";

export interface SamplingOptions {
  /** 0 = greedy (argmax, ties -> lowest id). Default: 0, or 1 when topK or topP is given. */
  readonly temperature?: number;
  /** Keep only the k most probable tokens (k >= 1). */
  readonly topK?: number;
  /** Keep the smallest set of most probable tokens whose probability reaches p, p in (0, 1] (after top-k, renormalized). */
  readonly topP?: number;
  /** Seed of the sampling generator (mulberry32). Default 0. */
  readonly seed?: number;
}

/** Throws a ConfigError for a value outside its range. */
export function validateSampling(o: SamplingOptions): void {
  optionsObject("sampling", "options", o, ["temperature", "topK", "topP", "seed"]);
  const t = o.temperature;
  if (t !== undefined && !(Number.isFinite(t) && t >= 0)) throw new ConfigError("temperature", t, "must be a finite number >= 0 (0 = greedy)");
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 1)) throw new ConfigError("top_k", o.topK, "must be an integer >= 1");
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new ConfigError("top_p", o.topP, "must be in (0, 1]");
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new ConfigError("seed", o.seed, "must be an integer");
}

/** A next-token chooser. new Sampler({ temperature: 0.8, topK: 5, seed: 1 }).pick(logitsRow) */
export class Sampler {
  readonly temperature: number;
  private readonly rng: Rng;
  private probs = new Float64Array(0);
  private order: number[] = [];

  constructor(private readonly options: SamplingOptions = {}) {
    validateSampling(options);
    this.temperature = options.temperature ?? (options.topK !== undefined || options.topP !== undefined ? 1 : 0);
    this.rng = new Rng(options.seed ?? 0);
  }

  get greedy(): boolean {
    return this.temperature === 0;
  }

  /** logits [V] -> token id. */
  pick(logits: Tensor): number {
    if (this.greedy) return argmax(logits);
    const V = logits.shape[0]!;
    if (this.probs.length !== V) [this.probs, this.order] = [new Float64Array(V), [...Array(V).keys()]];
    const p = this.probs, order = this.order;
    const keep = warp(logits, this.temperature, this.options, p, order);
    let u = this.rng.uniform() * keptMass(p, order, keep);
    for (let n = 0; n < keep; n++) {
      u -= p[order[n]!]!;
      if (u < 0) return order[n]!;
    }
    return order[keep - 1]!;
  }
}

/**
 * The warp the Sampler draws through (and probabilities() writes out): p[i] = exp((logit_i - max) / temperature),
 * unnormalized; `order` (any permutation of the ids) sorted most probable first, equal ones lower id first, so
 * the order is the same everywhere; then top-k, and top-p over what top-k kept (HF's warpers and llama.cpp's
 * chain do the same). Returns how many of `order` are kept.
 */
export function warp(logits: Tensor, temperature: number, options: SamplingOptions, p: Float64Array, order: number[]): number {
  const V = logits.shape[0]!;
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits.get(i));
  for (let i = 0; i < V; i++) p[i] = Math.exp((logits.get(i) - max) / temperature);
  order.sort((a, b) => p[b]! - p[a]! || a - b);
  const keep = Math.min(options.topK ?? V, V);
  if (options.topP === undefined) return keep;
  const target = options.topP * keptMass(p, order, keep);
  let mass = 0;
  for (let n = 0; n < keep; n++) {
    mass += p[order[n]!]!;
    if (mass >= target) return n + 1;
  }
  return keep;
}

/** The total weight of the first `keep` ids of `order`, summed in that order. */
export function keptMass(p: Float64Array, order: readonly number[], keep: number): number {
  let kept = 0;
  for (let n = 0; n < keep; n++) kept += p[order[n]!]!;
  return kept;
}
