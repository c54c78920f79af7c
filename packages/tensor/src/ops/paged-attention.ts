// Multi-head attention over keys and values held in a block table (PagedAttention), the reference: the
// table's rows gathered into one matrix, then `attention`. The wasm kernel (backend/kv-attention.ts) walks
// the blocks instead (no copy) and gives the bits of the wasm `attention` over the gathered rows.
import { ShapeError } from "../errors.js";
import type { BlockTable } from "../block-table.js";
import { assert2d, assertShape, formatShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";
import { attention } from "./attention.js";
import { CAUSAL, type AttentionSpan } from "./softmax.js";

export interface PagedAttentionOptions {
  /** Absolute position of q's first row (row i is at queryStart + i). */
  readonly queryStart: number;
  /** Absolute position of the table's first row (row j is at firstPosition + j); 0 by default. */
  readonly firstPosition?: number;
  /** Which keys a query may see; plain causal by default. */
  readonly span?: AttentionSpan;
  /** Heads splitting q's columns (head h is columns h·dh .. h·dh + dh - 1); 1 by default. Scale 1/√dh. */
  readonly nHeads?: number;
  /** Where the result goes ([T, d]); a new tensor by default. */
  readonly out?: Tensor;
}

/**
 * q [T, d] over the first S positions of `table` (blocks [B, d]) -> [T, d].
 * const y = pagedAttention(q, table, 40, { queryStart: 39 }) // decode at 39 over 3 blocks of 16
 */
export function pagedAttention(q: Tensor, table: BlockTable, S: number, options: PagedAttentionOptions): Tensor {
  checkPagedAttention(q, table, S, options);
  const [T, d] = q.shape as [number, number];
  const nHeads = options.nHeads ?? 1;
  const out = options.out ?? zeros([T, d]);
  const first = options.firstPosition ?? 0, span = options.span ?? CAUSAL;
  const { keys, values } = gatherBlocks(table, S);
  const positions = Int32Array.from({ length: S }, (_, j) => first + j);
  const dh = d / nHeads;
  for (let head = 0; head < nHeads; head++) {
    const c = head * dh;
    attention(q.lo(0, c).hi(T, dh), keys.lo(0, c).hi(S, dh), values.lo(0, c).hi(S, dh), {
      queryStart: options.queryStart, keyPositions: positions, span, out: out.lo(0, c).hi(T, dh),
    });
  }
  return out;
}

/** Throws the ShapeError for operands pagedAttention cannot take. */
export function checkPagedAttention(q: Tensor, table: BlockTable, S: number, options: PagedAttentionOptions): void {
  assert2d("pagedAttention", "q", q);
  const [T, d] = q.shape as [number, number];
  const nHeads = options.nHeads ?? 1;
  if (d !== table.width) {
    throw new ShapeError("pagedAttention", "q must have the blocks' width", `q ${formatShape(q.shape)}, blocks [${table.blockSize}, ${table.width}]`, `q [T, ${table.width}]`);
  }
  if (!Number.isInteger(nHeads) || nHeads < 1 || d % nHeads !== 0) {
    throw new ShapeError("pagedAttention", "heads must split the columns evenly", `q ${formatShape(q.shape)} with ${nHeads} heads`, "d divisible by the number of heads");
  }
  if (!Number.isInteger(S) || S < 0 || S > table.length * table.blockSize) {
    throw new ShapeError("pagedAttention", "S must lie within the table's blocks", `S = ${S} over ${table.length} blocks of ${table.blockSize}`, `0 <= S <= ${table.length * table.blockSize}`);
  }
  if (options.out) assertShape("pagedAttention", "out", options.out, [T, d]);
}

/** The first S rows of the table's keys and values as two [S, d] matrices (block after block). */
export function gatherBlocks(table: BlockTable, S: number): { keys: Tensor; values: Tensor } {
  const B = table.blockSize, d = table.width;
  const keys = zeros([S, d]), values = zeros([S, d]);
  for (let b = 0; b * B < S; b++) {
    const n = Math.min(B, S - b * B) * d, k = table.keys(b), v = table.values(b);
    keys.data.set(k.data.subarray(k.offset, k.offset + n), b * B * d);
    values.data.set(v.data.subarray(v.offset, v.offset + n), b * B * d);
  }
  return { keys, values };
}
