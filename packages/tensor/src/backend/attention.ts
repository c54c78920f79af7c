// The wasm fused attention: scores, mask, softmax and the weighted sum of values for every query row in
// one call, with a reused scratch row instead of a [T, S] matrix. Declines like wasmLinear.
import { NumericError } from "../errors.js";
import type { AttentionSpan } from "../ops/softmax.js";
import type { Tensor } from "../tensor.js";
import { activeWasm, type WasmState } from "./backend.js";
import { kernelAddress } from "./memory.js";
import { beginCall, rowsContiguous, stageBytes, stageIn, stageOut, take } from "./operands.js";

const I32_MAX = 0x7fffffff;
// window and sinks are compared with integer differences and positions, so x < w is x < ceil(w)
export const clampI32 = (x: number): number => (x >= I32_MAX ? I32_MAX : x <= -I32_MAX ? -I32_MAX : Math.ceil(x));

/**
 * q [T, dh], k [S, dh], v [S, dh], out [T, dh]; query row i is at position queryStart + i, key j at
 * keyPositions[j] (shapes already validated).
 */
export function wasmAttention(
  q: Tensor, k: Tensor, v: Tensor, queryStart: number, keyPositions: ArrayLike<number>, span: AttentionSpan, scale: number, out: Tensor,
): boolean {
  const state = activeWasm();
  if (!state) return false;
  if (!rowsContiguous(q) || !rowsContiguous(k) || !rowsContiguous(v) || !rowsContiguous(out)) return false;
  const [T, dh] = q.shape as [number, number];
  const S = k.shape[0]!;
  if (T === 0 || dh === 0) return true;
  const rowBytes = positionsBytes(S), scratchBytes = attentionScratchBytes(S, T);
  const positionsInPlace = kernelPositions(state, keyPositions, S);
  const need = stageBytes(state, q, T, dh) + stageBytes(state, k, S, dh) + stageBytes(state, v, S, dh) + stageBytes(state, out, T, dh) + (positionsInPlace ? 0 : rowBytes) + scratchBytes;
  if (!beginCall(state, need)) return false;
  const [qp, qs] = stageIn(state, q, T, dh);
  const [kp, ks] = stageIn(state, k, S, dh);
  const [vp, vs] = stageIn(state, v, S, dh);
  const [op, os] = stageIn(state, out, T, dh, false);
  const pos = positionsInPlace || stagePositions(state, keyPositions, S, rowBytes);
  const scores = take(scratchBytes);
  const r = state.kernels.attention(qp, qs, kp, ks, vp, vs, op, os, T, S, dh, scale, queryStart, pos, clampI32(span.window), clampI32(span.sinks), scores);
  if (r !== 0) attentionFailed(r, queryStart);
  stageOut(state, out, op, T, dh);
  return true;
}

/** Bytes of a staged positions row: S i32 (room for S rounded up to 8), 64-byte aligned. */
export function positionsBytes(S: number): number {
  return Math.ceil(((S + 7) & ~7) * 4 / 64) * 64;
}

/**
 * Bytes of the kernel's scores scratch for T queries over S keys, 64-byte aligned: one row of (S + 7) & ~7
 * floats, two when T > 1 (the kernel scores query rows in pairs, the second row right after the first).
 */
export function attentionScratchBytes(S: number, T: number): number {
  return Math.ceil((T > 1 ? 2 : 1) * ((S + 7) & ~7) * 4 / 64) * 64;
}

/** Address of keyPositions when it is an Int32Array of >= S entries in kernel memory (read in place), else 0. */
export function kernelPositions(state: WasmState, keyPositions: ArrayLike<number>, S: number): number {
  return keyPositions instanceof Int32Array && keyPositions.length >= S ? Math.max(kernelAddress(state, keyPositions), 0) : 0;
}

/** Copies the first S key positions into this call's scratch (after beginCall); returns the address. */
export function stagePositions(state: WasmState, keyPositions: ArrayLike<number>, S: number, rowBytes: number): number {
  const pos = take(rowBytes);
  const positions = state.i32.subarray(pos >> 2, (pos >> 2) + S);
  if (keyPositions instanceof Int32Array) positions.set(keyPositions.subarray(0, S));
  else for (let j = 0; j < S; j++) positions[j] = keyPositions[j]!;
  return pos;
}

/** Throws the NumericError for a nonzero result `r` of the attention kernel. */
export function attentionFailed(r: number, queryStart: number): never {
  if (r > 0) throw new NumericError("attention", `query row ${r - 1} (position ${queryStart + r - 1}) sees no key: every score is masked, so no probability is defined. Check the attention mask.`);
  throw new NumericError("attention", `query row ${-r - 1} has a NaN score`);
}
