// The record layout of kernel programs, as assembly/program.ts reads it: RECORD i32 words per record, word
// 0 the op, then its operands (byte addresses, strides in floats unless said, counts; a float stored as its
// bits). The writers below put a record's operands in place; KernelProgram (program.ts) checks the
// operands and resolves their addresses first. An operand a record takes from the run (a position p, a
// token) is not written here.
import type { AttentionSpan } from "../ops/index.js";
import { clampI32 } from "./attention.js";

export const RECORD = 24; // i32 words per record
export const OP_LINEAR = 1;
export const OP_LAYER_NORM = 2;
export const OP_ATTENTION = 3;
export const OP_ATTENTION_PAGED = 4;
export const OP_ATTENTION_INT8 = 5;
export const OP_COPY_ROW = 6;
export const OP_EMBED_ROW = 8;
export const OP_COPY_TO_BLOCK = 9;
export const OP_QUANTIZE_ROW = 10;

/**
 * Where an attention record keeps T, S, dh, its window, heads and queryStart: over rows and block tables,
 * and over int8 rows (the int8 record's quantized count is word 7, its key group word 6).
 */
export const ROWS_WORDS = { T: 9, S: 10, dh: 11, window: 15, heads: 18, queryStart: 13 } as const;
export const INT8_WORDS = { T: 14, S: 15, dh: 16, window: 20, heads: 23, queryStart: 18 } as const;
export const wordsOf = (op: number): typeof ROWS_WORDS | typeof INT8_WORDS => (op === OP_ATTENTION_INT8 ? INT8_WORDS : ROWS_WORDS);

/**
 * The words of an attention record over rows at word b (ATTENTION): q qs k ks v vs out os T S dh scale
 * qStart pos window sinks scores heads.
 */
export function rowsAttention(
  w: Int32Array, f: Float32Array, b: number, q: number, qs: number, k: number, ks: number, v: number, vs: number,
  out: number, os: number, T: number, S: number, dh: number, queryStart: number, pos: number, span: AttentionSpan, scores: number, heads: number,
): void {
  w[b] = OP_ATTENTION; w[b + 1] = q; w[b + 2] = qs; w[b + 3] = k; w[b + 4] = ks; w[b + 5] = v; w[b + 6] = vs;
  w[b + 7] = out; w[b + 8] = os; w[b + 9] = T; w[b + 10] = S; w[b + 11] = dh; f[b + 12] = 1 / Math.sqrt(dh);
  w[b + 13] = queryStart; w[b + 14] = pos; w[b + 15] = clampI32(span.window); w[b + 16] = clampI32(span.sinks);
  w[b + 17] = scores; w[b + 18] = heads;
}

/**
 * The words of an attention record over a block table at word b (ATTENTION_PAGED): q qs kTable vTable d B
 * out os T S dh scale qStart p0 window sinks scores heads; `table` is the table's key addresses, its value
 * addresses 4·capacity bytes on, and its first position is 0.
 */
export function pagedAttention(
  w: Int32Array, f: Float32Array, b: number, q: number, qs: number, table: number, capacity: number, d: number, B: number,
  out: number, os: number, T: number, S: number, dh: number, queryStart: number, span: AttentionSpan, scores: number, heads: number,
): void {
  w[b] = OP_ATTENTION_PAGED; w[b + 1] = q; w[b + 2] = qs; w[b + 3] = table; w[b + 4] = table + 4 * capacity; w[b + 5] = d; w[b + 6] = B;
  w[b + 7] = out; w[b + 8] = os; w[b + 9] = T; w[b + 10] = S; w[b + 11] = dh; f[b + 12] = 1 / Math.sqrt(dh);
  w[b + 13] = queryStart; w[b + 14] = 0; w[b + 15] = clampI32(span.window); w[b + 16] = clampI32(span.sinks);
  w[b + 17] = scores; w[b + 18] = heads;
}

/**
 * The words of an attention record over int8 rows at word b (ATTENTION_INT8): q qs kq d kSc G nq kf kfRow
 * vq vSc out os T S dh scale qStart p0 window sinks scores heads; keys [0, nq) are int8 (scales per token,
 * or per channel for groups of G), the rest float rows at kf; the first position is 0.
 */
export function int8Attention(
  w: Int32Array, f: Float32Array, b: number, q: number, qs: number, kq: number, d: number, kSc: number, G: number, nq: number,
  kf: number, kfRow: number, vq: number, vSc: number, out: number, os: number, T: number, S: number, dh: number, queryStart: number,
  span: AttentionSpan, scores: number, heads: number,
): void {
  w[b] = OP_ATTENTION_INT8; w[b + 1] = q; w[b + 2] = qs; w[b + 3] = kq; w[b + 4] = d; w[b + 5] = kSc; w[b + 6] = G; w[b + 7] = nq;
  w[b + 8] = kf; w[b + 9] = kfRow; w[b + 10] = vq; w[b + 11] = vSc; w[b + 12] = out; w[b + 13] = os;
  w[b + 14] = T; w[b + 15] = S; w[b + 16] = dh; f[b + 17] = 1 / Math.sqrt(dh);
  w[b + 18] = queryStart; w[b + 19] = 0; w[b + 20] = clampI32(span.window); w[b + 21] = clampI32(span.sinks);
  w[b + 22] = scores; w[b + 23] = heads;
}

/**
 * Sets the words an attention record of one query at position p takes from the run: S = p + 1 keys, the
 * query at p, and for int8 rows the keys quantized so far (every one with per-token scales, up to the last
 * full group with per-channel ones; the rest are read from the residual).
 */
export function atPosition(w: Int32Array, b: number, p: number): void {
  const op = w[b]!, at = wordsOf(op);
  w[b + at.S] = p + 1;
  w[b + at.queryStart] = p;
  if (op === OP_ATTENTION_INT8) w[b + 7] = w[b + 6] === 0 ? p + 1 : p + 1 - ((p + 1) % w[b + 6]!);
}
