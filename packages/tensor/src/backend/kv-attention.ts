// The public attention over the caches' own layouts: a block table (`paged`) and int8 rows with scales
// (`int8`). Each validates its operands, runs the wasm kernel when the wasm backend is active and can take
// them (everything in kernel memory), and otherwise the TypeScript reference in ops/.
import type { BlockTable } from "../block-table.js";
import * as paged from "../ops/paged-attention.js";
import * as int8 from "../ops/int8-attention.js";
import { CAUSAL } from "../ops/softmax.js";
import { zeros, type Tensor } from "../tensor.js";
import { activeWasm } from "./backend.js";
import { wasmInt8Attention } from "./int8-attention.js";
import { wasmPagedAttention } from "./paged-attention.js";

/**
 * q [T, d] over the first S positions of `table` (blocks [B, d], row j at firstPosition + j) -> [T, d],
 * without gathering the blocks.
 * const y = pagedAttention(q, table, 40, { queryStart: 39 }) // decode at 39 over 3 blocks of 16
 */
export function pagedAttention(q: Tensor, table: BlockTable, S: number, options: paged.PagedAttentionOptions): Tensor {
  if (activeWasm() === null) return paged.pagedAttention(q, table, S, options);
  paged.checkPagedAttention(q, table, S, options);
  const out = options.out ?? zeros(q.shape);
  const ok = wasmPagedAttention(q, table, S, options.queryStart, options.firstPosition ?? 0, options.span ?? CAUSAL, options.nHeads ?? 1, out);
  return ok ? out : paged.pagedAttention(q, table, S, { ...options, out });
}

/**
 * q [T, d] over the first S int8 keys and values -> [T, d], dequantizing inside the kernel.
 * const y = int8Attention(q, { data, scales, group: 0 }, { data: vq, scales: vs }, 40, { queryStart: 39 })
 */
export function int8Attention(q: Tensor, keys: int8.Int8Keys, values: int8.Int8Values, S: number, options: int8.Int8AttentionOptions): Tensor {
  if (activeWasm() === null) return int8.int8Attention(q, keys, values, S, options);
  int8.checkInt8Attention(q, keys, values, S, options);
  const out = options.out ?? zeros(q.shape);
  const quantized = Math.min(keys.quantized ?? S, S);
  const ok = wasmInt8Attention(q, keys, values, S, quantized, options.queryStart, options.firstPosition ?? 0, options.span ?? CAUSAL, options.nHeads ?? 1, out);
  return ok ? out : int8.int8Attention(q, keys, values, S, { ...options, out });
}
