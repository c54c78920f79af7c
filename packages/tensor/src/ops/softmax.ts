// Softmax over the last axis (max-subtracted, so large logits do not overflow) and the causal mask.
// A masked entry is -Infinity and becomes exactly 0; a row with every entry masked is an error, not NaN.
import ndarray from "ndarray";
import { NumericError } from "../errors.js";
import { assert2d, assertShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";

/** A 1-D view [n] seen as one row [1, n] (no copy). */
const asRow = (t: Tensor): Tensor => ndarray(t.data, [1, t.shape[0]!], [0, t.stride[0]!], t.offset);

/**
 * x [R, n] -> [R, n], each row exp(x - max) / sum. `out` may be `x` (in place).
 * softmax(fromArray([[1000, 1000]])) // [[0.5, 0.5]]
 */
export function softmax(x: Tensor, out: Tensor = zeros(x.shape)): Tensor {
  if (x.shape.length === 1) {
    assertShape("softmax", "out", out, x.shape);
    softmax(asRow(x), asRow(out));
    return out;
  }
  assert2d("softmax", "x", x);
  assertShape("softmax", "out", out, x.shape);
  const [rows, n] = x.shape as [number, number];
  const X = x.data, O = out.data;
  const [xs0, xs1] = x.stride as [number, number];
  const [os0, os1] = out.stride as [number, number];
  for (let i = 0; i < rows; i++) {
    const xr = x.offset + i * xs0, or = out.offset + i * os0;
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, X[xr + j * xs1]!);
    if (max === -Infinity) {
      throw new NumericError("softmax", `row ${i} has every entry masked (-Infinity), so no probability is defined. Check the attention mask.`);
    }
    if (Number.isNaN(max)) throw new NumericError("softmax", `row ${i} contains NaN`);
    if (max === Infinity) throw new NumericError("softmax", `row ${i} contains +Infinity (an overflowed score), so the probabilities are undefined`);
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(X[xr + j * xs1]! - max);
      O[or + j * os1] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < n; j++) O[or + j * os1] = O[or + j * os1]! * inv;
  }
  return out;
}

/** Which keys a query may see: causal, optionally only the last `window` positions plus the first `sinks`. */
export interface AttentionSpan {
  /** Keys at query - window or earlier are hidden (Infinity: plain causal). */
  readonly window: number;
  /** Positions below this stay visible whatever the window (StreamingLLM's attention sinks). */
  readonly sinks: number;
}

/** Plain causal attention: every key at or before the query is visible. maskCausal(scores, 0, positions, CAUSAL) */
export const CAUSAL: AttentionSpan = { window: Infinity, sinks: 0 };

/**
 * scores [T, S] masked in place: row i is the query at absolute position queryStart + i, column j the
 * key at absolute position keyPositions[j]. Hidden entries become -Infinity.
 * maskCausal(scores, cache.length, positions) // decode: one query row over every cached key
 */
export function maskCausal(scores: Tensor, queryStart: number, keyPositions: ArrayLike<number>, span: AttentionSpan = CAUSAL): Tensor {
  assert2d("maskCausal", "scores", scores);
  const [T, S] = scores.shape as [number, number];
  if (keyPositions.length < S) {
    throw new NumericError("maskCausal", `${keyPositions.length} key positions for ${S} score columns; expected at least ${S}`);
  }
  const D = scores.data;
  const [s0, s1] = scores.stride as [number, number];
  for (let i = 0; i < T; i++) {
    const q = queryStart + i;
    const row = scores.offset + i * s0;
    for (let j = 0; j < S; j++) {
      const k = keyPositions[j]!;
      if (k > q || (q - k >= span.window && k >= span.sinks)) D[row + j * s1] = -Infinity;
    }
  }
  return scores;
}
