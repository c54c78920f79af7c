// The distribution a Sampler draws from, as a full probability vector: what speculative decoding compares
// between the draft and the target. Greedy (temperature 0) is the point mass on the argmax (ties: lowest
// id); otherwise softmax(logits / temperature), cut to top-k then top-p by the same warp as Sampler.pick, and
// renormalized. Sampling from this vector gives Sampler.pick's distribution.
import { argmax, type Rng, type Tensor } from "@tinylm/tensor";
import { keptMass, validateSampling, warp, type SamplingOptions } from "./sampling.js";

/** logits [V] -> probabilities [V] (float64, sum 1) under the sampling options. */
export function probabilities(logits: Tensor, options: SamplingOptions = {}): Float64Array {
  validateSampling(options);
  const V = logits.shape[0]!;
  const p = new Float64Array(V);
  const temperature = options.temperature ?? (options.topK !== undefined || options.topP !== undefined ? 1 : 0);
  if (temperature === 0) {
    p[argmax(logits)] = 1;
    return p;
  }
  const order = [...Array(V).keys()];
  const keep = warp(logits, temperature, options, p, order);
  const kept = keptMass(p, order, keep);
  for (let n = keep; n < V; n++) p[order[n]!] = 0;
  for (let i = 0; i < V; i++) p[i]! /= kept;
  return p;
}

/** An id drawn from probabilities `p` (any non-negative weights; they need not sum to 1). */
export function drawFrom(p: Float64Array, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < p.length; i++) total += p[i]!;
  let u = rng.uniform() * total;
  let last = -1;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! <= 0) continue;
    last = i;
    u -= p[i]!;
    if (u < 0) return i;
  }
  return last; // rounding left u >= 0 after the last weight
}
