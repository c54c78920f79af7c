// Prepared ops: `linear`, `layerNorm` and multi-head `attention` bound once to fixed operands. Shapes are
// checked once, when preparing (the same ShapeErrors as the ops); a run then does no checks and allocates
// nothing. When the wasm backend is active and every operand lives in kernel memory with contiguous rows, a
// run is one kernel call per head on addresses computed here (no scratch copy). Otherwise (JS backend,
// operands in JS memory, an observer) it calls the public op, so results are the ones the ops give.
// Operands are views: write the inputs' storage between runs, never reshape it.
//
//   const qkv = prepareLinear(x, Wqkv, bqkv, out) // x [T, d], Wqkv [3d, d] -> out [T, 3d]
//   qkv(); qkv(); // each run recomputes out from x's current values
import { ShapeError } from "../errors.js";
import { assert2d, assertShape, formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkLinear, type AttentionSpan, type LinearFusion } from "../ops/index.js";
import { activeWasm, loadedWasm, type WasmState } from "./backend.js";
import { ACCUMULATE, RELU } from "./linear.js";
import { attentionFailed, attentionScratchBytes, clampI32, kernelPositions, positionsBytes, stagePositions } from "./attention.js";
import { attention, layerNorm, linear } from "./dispatch.js";
import { kernelAddress } from "./memory.js";
import { beginCall, rowsContiguous, rowStride, take } from "./operands.js";

/** A prepared op: each call recomputes its output from the current values of its inputs. */
export type PreparedOp = () => void;

/** Byte address of t's first element in kernel memory (t known to be there). */
const address = (state: WasmState, t: Tensor): number => kernelAddress(state, t.data) + 4 * t.offset;

/** True when a kernel can read t in place (kernel memory, contiguous rows). */
const here = (state: WasmState, t: Tensor): boolean => kernelAddress(state, t.data) >= 0 && rowsContiguous(t);

/** True when the kernels can read every operand in place. */
function inPlace(state: WasmState | null, ...ts: (Tensor | undefined)[]): state is WasmState {
  return state !== null && ts.every((t) => t === undefined || here(state, t));
}

/** linear(x [T, in], weight [out, in], bias [out], out [T, out], fuse), prepared. */
export function prepareLinear(x: Tensor, weight: Tensor, bias: Tensor | undefined, out: Tensor, fuse: LinearFusion = {}): PreparedOp {
  checkLinear(x, weight, bias, out, fuse);
  const viaOp = (): void => void linear(x, weight, bias, out, fuse);
  const state = loadedWasm();
  if (!inPlace(state, x, weight, bias, out)) return viaOp;
  const [T, n] = x.shape as [number, number];
  const m = weight.shape[0]!;
  const flags = (fuse.relu ? RELU : 0) | (fuse.accumulate ? ACCUMULATE : 0);
  const xp = address(state, x), xs = rowStride(x), wp = address(state, weight), ws = rowStride(weight);
  const bp = bias ? address(state, bias) : 0, op = address(state, out), os = rowStride(out);
  const kernels = state.kernels;
  return () => {
    if (activeWasm() === null) viaOp();
    else if (T === 1) kernels.matvec(xp, wp, ws, bp, op, n, m, flags); // a decode step: the one-row kernel
    else if (T !== 0 && m !== 0) kernels.linear(xp, xs, wp, ws, bp, op, os, T, n, m, flags);
  };
}

/** layerNorm(x [T, d], weight [d], bias [d], eps, out [T, d]), prepared. */
export function prepareLayerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number, out: Tensor): PreparedOp {
  assert2d("layerNorm", "x", x);
  const [T, d] = x.shape as [number, number];
  assertShape("layerNorm", "weight", weight, [d]);
  assertShape("layerNorm", "bias", bias, [d]);
  assertShape("layerNorm", "out", out, [T, d]);
  const viaOp = (): void => void layerNorm(x, weight, bias, eps, out);
  const state = loadedWasm();
  if (!inPlace(state, x, weight, bias, out)) return viaOp;
  const xp = address(state, x), xs = rowStride(x), wp = address(state, weight), bp = address(state, bias), op = address(state, out), os = rowStride(out);
  const kernels = state.kernels;
  return () => {
    if (activeWasm() === null) viaOp();
    else if (T !== 0 && d !== 0) kernels.layer_norm(xp, xs, wp, bp, op, os, T, d, eps);
  };
}

/**
 * Multi-head attention of fixed queries over keys and values given per run: heads split the d columns
 * (head h is columns h·dh .. h·dh + dh - 1, dh = d / nHeads), scale 1/√dh, as `attention` per head.
 * keys, values [S, d]; keyPositions (length >= S); observe, when given, gets each head's probabilities.
 */
export type PreparedAttention = (
  keys: Tensor, values: Tensor, keyPositions: ArrayLike<number>, queryStart: number, span: AttentionSpan,
  observe?: (head: number, probs: Tensor) => void,
) => void;

/** Attention of q [T, d] into out [T, d] with nHeads heads, prepared (keys and values come per run). */
export function prepareAttention(q: Tensor, out: Tensor, nHeads: number): PreparedAttention {
  assert2d("attention", "q", q);
  const [T, d] = q.shape as [number, number];
  assertShape("attention", "out", out, [T, d]);
  if (!Number.isInteger(nHeads) || nHeads < 1 || d % nHeads !== 0) {
    throw new ShapeError("attention", "heads must split the columns evenly", `q ${formatShape(q.shape)} with ${nHeads} heads`, `d divisible by the number of heads`);
  }
  const dh = d / nHeads;
  const scale = 1 / Math.sqrt(dh);
  const viaOp: PreparedAttention = (keys, values, keyPositions, queryStart, span, observe) => {
    assert2d("attention", "k", keys);
    assert2d("attention", "v", values);
    const S = keys.shape[0]!;
    if (keys.shape[1] !== d || values.shape[0] !== S || values.shape[1] !== d) {
      throw new ShapeError("attention", "keys and values must have q's width", `q ${formatShape(q.shape)}, k ${formatShape(keys.shape)}, v ${formatShape(values.shape)}`, `k and v [S, ${d}]`);
    }
    for (let head = 0; head < nHeads; head++) {
      const cols = head * dh;
      attention(q.lo(0, cols).hi(T, dh), keys.lo(0, cols).hi(S, dh), values.lo(0, cols).hi(S, dh), {
        queryStart, keyPositions, span, scale, out: out.lo(0, cols).hi(T, dh),
        observe: observe && ((probs) => observe(head, probs)),
      });
    }
  };
  const state = loadedWasm();
  if (!inPlace(state, q, out)) return viaOp;
  const qp = address(state, q), qs = rowStride(q), op = address(state, out), os = rowStride(out);
  return (keys, values, keyPositions, queryStart, span, observe) => {
    const active = activeWasm();
    if (active === null || observe || !fits(active, keys, values, d)) return viaOp(keys, values, keyPositions, queryStart, span, observe);
    if (T === 0 || d === 0) return;
    const S = keys.shape[0]!;
    const rowBytes = positionsBytes(S), scratchBytes = attentionScratchBytes(S, T);
    const positionsAt = kernelPositions(active, keyPositions, S);
    if (!beginCall(active, (positionsAt ? 0 : rowBytes) + scratchBytes)) return viaOp(keys, values, keyPositions, queryStart, span, observe);
    const pos = positionsAt || stagePositions(active, keyPositions, S, rowBytes);
    const scores = take(scratchBytes);
    const kp = address(active, keys), ks = rowStride(keys), vp = address(active, values), vs = rowStride(values);
    const window = clampI32(span.window), sinks = clampI32(span.sinks);
    for (let head = 0; head < nHeads; head++) {
      const c = 4 * head * dh; // byte offset of the head's columns
      // the kernel is called from here, not through a helper: a float argument to a JS call is boxed
      const r = active.kernels.attention(qp + c, qs, kp + c, ks, vp + c, vs, op + c, os, T, S, dh, scale, queryStart, pos, window, sinks, scores);
      if (r !== 0) attentionFailed(r, queryStart);
    }
  };
}

/** keys and values are [S, d] in kernel memory with contiguous rows (else the op path checks and reports). */
function fits(state: WasmState, keys: Tensor, values: Tensor, d: number): boolean {
  return keys.shape.length === 2 && values.shape.length === 2 && keys.shape[1] === d && values.shape[1] === d &&
    values.shape[0] === keys.shape[0] && here(state, keys) && here(state, values);
}
