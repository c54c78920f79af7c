// The wasm attention over a block table: one kernel call per head, reading the blocks in place through
// their addresses (BlockTable.kernelTable). Declines (returns false) like wasmAttention when the wasm
// backend is off or an operand is not in kernel memory; the caller then runs the JS path.
import type { BlockTable } from "../block-table.js";
import type { AttentionSpan } from "../ops/softmax.js";
import type { Tensor } from "../tensor.js";
import { activeWasm } from "./backend.js";
import { attentionFailed, attentionScratchBytes, clampI32 } from "./attention.js";
import { kernelAddress } from "./memory.js";
import { beginCall, rowsContiguous, rowStride, take } from "./operands.js";

/**
 * q [T, d] over the first S rows of `table` (key j at firstPosition + j) -> out [T, d], nHeads heads of
 * d / nHeads columns (shapes already validated).
 */
export function wasmPagedAttention(
  q: Tensor, table: BlockTable, S: number, queryStart: number, firstPosition: number, span: AttentionSpan, nHeads: number, out: Tensor,
): boolean {
  const state = activeWasm();
  if (!state || !rowsContiguous(q) || !rowsContiguous(out)) return false;
  const qa = kernelAddress(state, q.data), oa = kernelAddress(state, out.data), kt = table.kernelTable();
  if (qa < 0 || oa < 0 || kt === 0) return false;
  const [T, d] = q.shape as [number, number];
  if (T === 0 || d === 0) return true;
  const scratchBytes = attentionScratchBytes(S, 1);
  if (!beginCall(state, scratchBytes)) return false;
  const scores = take(scratchBytes);
  const dh = d / nHeads, scale = 1 / Math.sqrt(dh);
  const qp = qa + 4 * q.offset, qs = rowStride(q), op = oa + 4 * out.offset, os = rowStride(out);
  const vt = kt + 4 * table.capacity, window = clampI32(span.window), sinks = clampI32(span.sinks);
  for (let head = 0; head < nHeads; head++) {
    const c = 4 * head * dh;
    const r = state.kernels.attention_paged(qp + c, qs, kt, vt, c, d, table.blockSize, op + c, os, T, S, dh, scale, queryStart, firstPosition, window, sinks, scores);
    if (r !== 0) attentionFailed(r, queryStart);
  }
  return true;
}
