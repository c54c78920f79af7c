// The wasm attention over int8 keys and values: one kernel call per head, reading the int8 rows and their
// scales in place and dequantizing inside the kernel. Declines (returns false) when the wasm backend is
// off or an operand is not in kernel memory; the caller then runs the JS path.
import type { Int8Keys, Int8Values } from "../ops/int8-attention.js";
import type { AttentionSpan } from "../ops/softmax.js";
import type { Tensor } from "../tensor.js";
import { activeWasm } from "./backend.js";
import { attentionFailed, clampI32 } from "./attention.js";
import { kernelAddress } from "./memory.js";
import { beginCall, rowsContiguous, rowStride, take } from "./operands.js";

/**
 * q [T, d] over the first S keys and values -> out [T, d], nHeads heads of d / nHeads columns (shapes and
 * sizes already validated; `quantized` is keys.quantized clipped to S).
 */
export function wasmInt8Attention(
  q: Tensor, keys: Int8Keys, values: Int8Values, S: number, quantized: number,
  queryStart: number, firstPosition: number, span: AttentionSpan, nHeads: number, out: Tensor,
): boolean {
  const state = activeWasm();
  if (!state || !rowsContiguous(q) || !rowsContiguous(out)) return false;
  const qa = kernelAddress(state, q.data), oa = kernelAddress(state, out.data);
  const kq = kernelAddress(state, keys.data), ks = kernelAddress(state, keys.scales);
  const vq = kernelAddress(state, values.data), vs = kernelAddress(state, values.scales);
  if (qa < 0 || oa < 0 || kq < 0 || ks < 0 || vq < 0 || vs < 0) return false;
  let kf = 0, kfRow = 0;
  const residual = keys.residual;
  if (quantized < S) {
    const ra = residual ? kernelAddress(state, residual.data) : -1;
    if (ra < 0 || !rowsContiguous(residual!)) return false;
    kf = ra + 4 * residual!.offset;
    kfRow = rowStride(residual!);
  }
  const [T, d] = q.shape as [number, number];
  if (T === 0 || d === 0) return true;
  const dh = d / nHeads, scale = 1 / Math.sqrt(dh), G = keys.group;
  const scratchBytes = int8ScratchBytes(S, dh);
  if (!beginCall(state, scratchBytes)) return false;
  const scores = take(scratchBytes);
  const qp = qa + 4 * q.offset, qs = rowStride(q), op = oa + 4 * out.offset, os = rowStride(out);
  const window = clampI32(span.window), sinks = clampI32(span.sinks);
  for (let head = 0; head < nHeads; head++) {
    const c = head * dh; // the head's first column
    const r = state.kernels.attention_int8(
      qp + 4 * c, qs, kq + c, d, G > 0 ? ks + 4 * c : ks, G, 4 * d, quantized, kf + 4 * c, kfRow,
      vq + c, d, vs, op + 4 * c, os, T, S, dh, scale, queryStart, firstPosition, window, sinks, scores,
    );
    if (r !== 0) attentionFailed(r, queryStart);
  }
  return true;
}

/** Bytes of the int8 kernel's scratch: a scores row of (S + 7) & ~7 floats, then dh floats, 64-byte aligned. */
export function int8ScratchBytes(S: number, dh: number): number {
  return Math.ceil((((S + 7) & ~7) + dh) * 4 / 64) * 64;
}
