// Scaled dot-product attention of one head, as its composition: scores = q·kᵀ·scale, causal mask,
// softmax, probs·v. The reference; the wasm backend (backend/dispatch.ts) runs it as one fused kernel,
// except when the probabilities are observed.
import { ShapeError } from "../errors.js";
import { assert2d, assertShape, formatShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";
import { matmul } from "./matmul.js";
import { CAUSAL, maskCausal, softmax, type AttentionSpan } from "./softmax.js";

export interface AttentionOptions {
  /** Absolute position of q's first row (row i is at queryStart + i). */
  readonly queryStart: number;
  /** Absolute position of each key row (length >= S). */
  readonly keyPositions: ArrayLike<number>;
  /** Which keys a query may see; plain causal by default. */
  readonly span?: AttentionSpan;
  /** Multiplies the scores; 1/√dh by default. */
  readonly scale?: number;
  /** Where the result goes ([T, dh], any strides); a new tensor by default. */
  readonly out?: Tensor;
  /** Receives the probabilities [T, S] (forces the unfused path, which materialises them). */
  readonly observe?: (probs: Tensor) => void;
}

/**
 * q [T, dh], k [S, dh], v [S, dh] -> [T, dh]: softmax(mask(q·kᵀ·scale))·v.
 * const y = attention(q, keys, values, { queryStart: 5, keyPositions: [0, 1, 2, 3, 4, 5] }) // decode at 5
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): Tensor {
  checkAttention(q, k, v, options);
  const out = options.out ?? zeros(q.shape);
  const span = options.span ?? CAUSAL;
  const s = options.scale ?? 1 / Math.sqrt(q.shape[1]!);
  const scores = matmul(q, k.transpose(1, 0)); // [T, dh] x [dh, S] -> [T, S]
  scaleInPlace(scores.data, s); // a new contiguous [T, S]
  maskCausal(scores, options.queryStart, options.keyPositions, span);
  const probs = softmax(scores, scores); // [T, S]
  options.observe?.(probs);
  return matmul(probs, v, out); // [T, S] x [S, dh] -> [T, dh]
}

/**
 * x *= s, element by element: the same float32 products as scale(x, s, x), without loading ndarray-ops,
 * whose import compiles every one of its ops (tens of ms) for a program that may never need them.
 */
function scaleInPlace(x: Float32Array, s: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * s;
}

/** The shape checks of `attention` (ShapeError naming the operand), without running it. */
export function checkAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): void {
  assert2d("attention", "q", q);
  assert2d("attention", "k", k);
  assert2d("attention", "v", v);
  const [T, dh] = q.shape as [number, number];
  const S = k.shape[0]!;
  if (k.shape[1] !== dh || v.shape[0] !== S) {
    throw new ShapeError("attention", "q, k and v do not fit", `q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}`, `k [S, ${dh}] and v [S, dv]`);
  }
  const dv = v.shape[1]!;
  if (dv !== dh) {
    throw new ShapeError("attention", "values must have the width of the queries", `v ${formatShape(v.shape)}`, `v [${S}, ${dh}]`);
  }
  if (options.out) assertShape("attention", "out", options.out, [T, dh]);
}
