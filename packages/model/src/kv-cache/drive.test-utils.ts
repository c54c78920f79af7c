// Helpers for the cache tests: a hand-driven generation that keeps every step's logits (the way
// generateSteps feeds the model: tokens.slice(cache.length)), and a recompute of the whole sequence.
import { argmax, fromArray, type Tensor } from "@tinylm/tensor";
import { makeConfig, type ModelConfig } from "../config.js";
import { TinyLM, type ForwardOptions } from "../model.js";
import type { KVCache } from "./types.js";

/** A model with sharp weights (std 0.3, randomised LayerNorm and biases), so an off-by-one cannot hide. */
export const sharpModel = (overrides: Partial<ModelConfig>, seed = 7): TinyLM => TinyLM.init(makeConfig(overrides), { seed, std: 0.3, perturb: 0.2 });

/** Row `i` of logits [T, V] as a new Float32Array. */
export const rowOf = (logits: Tensor, i: number): Float32Array => {
  const V = logits.shape[1]!;
  return Float32Array.from({ length: V }, (_, j) => logits.get(i, j));
};

/** Index of the largest entry (ties: lowest index), as the greedy sampler picks. */
export const greedy = (row: Float32Array): number => argmax(fromArray([...row]));

export interface Decoded {
  readonly tokens: number[]; // prompt, then the generated tokens
  readonly logits: Float32Array[]; // [steps][V]: step i predicts tokens[prompt.length + i]
}

/**
 * Prefills `prompt` through `cache` (reset first), then decodes one token per step until the sequence has
 * `total` tokens. `next` picks each token (greedy by default; pass a function to force a sequence).
 */
export function decode(model: TinyLM, cache: KVCache, prompt: readonly number[], total: number, next: (row: Float32Array, position: number) => number = greedy): Decoded {
  cache.reset();
  const tokens = [...prompt];
  const logits: Float32Array[] = [];
  while (tokens.length < total) {
    const out = model.forward(tokens.slice(cache.length), { cache }); // [T, V]
    const row = rowOf(out, out.shape[0]! - 1);
    logits.push(row);
    tokens.push(next(row, tokens.length));
  }
  return { tokens, logits };
}

/** Rows from..to-1 of a recompute of all `tokens` in one pass (positions 0..), e.g. with a banded span. */
export function recompute(model: TinyLM, tokens: readonly number[], from: number, to: number, options: ForwardOptions = {}): Float32Array[] {
  const out = model.forward(tokens.slice(0, to), options); // [to, V]
  return Array.from({ length: to - from }, (_, i) => rowOf(out, from + i));
}

/** Largest |a - b| over all entries of two equally long lists of rows. */
export function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: ${a.length} rows vs ${b.length}`);
  let m = 0;
  a.forEach((row, i) => row.forEach((x, j) => (m = Math.max(m, Math.abs(x - b[i]![j]!)))));
  return m;
}

/** A deterministic token list of length n (a mix of every id, not a repeat of one). */
export const tokensOf = (n: number, salt = 0): number[] => Array.from({ length: n }, (_, i) => (i * 7 + salt * 3 + ((i * i) % 5)) % 20);
