// The logit error of a lossy cache (int8) against `full`, teacher-forced: both caches are fed the same
// tokens, full's greedy choices, so the comparison never drifts onto a different sequence. The prompt goes
// in as one prefill (its last row is the first step's logits), then one token per step; every step's row
// of logits [V] from the lossy cache is compared with full's. `length` steps choose `length` tokens.
import { createCache, encode, type CacheOptions, type TinyLM } from "@tinylm/model";
import type { Tensor } from "@tinylm/tensor";
import type { LogitError } from "./results.js";

/** Index of the largest entry of row `r` of `t` [T, V] (first on ties, as greedy decoding picks). */
function argmaxRow(t: Tensor, r: number): number {
  let best = 0;
  for (let j = 1; j < t.shape[1]!; j++) if (t.get(r, j) > t.get(r, best)) best = j;
  return best;
}

/** Compares `kind`'s logits with full's over `length` steps from `prompt` (prompt + length <= context_length). */
export function logitError(model: TinyLM, prompt: string, kind: string, length: number, cacheOptions: CacheOptions = {}): LogitError {
  const exact = createCache("full", model.config, cacheOptions);
  const lossy = createCache(kind, model.config, cacheOptions);
  const V = model.config.vocabSize;
  let maxAbs = 0, sumSq = 0, maxAbsLogit = 0;
  let ids = encode(prompt);
  for (let step = 0; step < length; step++) {
    const a = model.forward(ids, { cache: exact }), b = model.forward(ids, { cache: lossy });
    const r = ids.length - 1; // the row that chooses the next token
    for (let j = 0; j < V; j++) {
      const x = a.get(r, j), diff = Math.abs(b.get(r, j) - x);
      maxAbs = Math.max(maxAbs, diff);
      maxAbsLogit = Math.max(maxAbsLogit, Math.abs(x));
      sumSq += diff * diff;
    }
    ids = [argmaxRow(a, r)]; // full's token goes into both caches
  }
  return { kind, steps: length, maxAbs, rms: Math.sqrt(sumSq / (length * V)), maxAbsLogit };
}
