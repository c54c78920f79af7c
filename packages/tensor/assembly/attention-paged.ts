// Attention over a block table (vLLM's PagedAttention), one head: the keys and values of S consecutive
// positions p0 .. p0 + S - 1 live in blocks of B rows scattered through memory, and
//   kTable[b], vTable[b] (i32 byte addresses)   hold rows b·B .. b·B + B - 1
// so key j is row j % B of block j / B. The kernel walks the blocks in table order; nothing is gathered.
//
// Same bits as `attention` (attention.ts) over the same rows stored contiguously. Each query row goes
// through the same steps on the same index space: the sinks and window ranges of attention-mask.ts, each
// key's score as dot4 computes it (a key's dot product does not depend on which loop computed it), the
// exps and their 4-lane sum by key index over the whole row (exps of attention.ts), then every output
// column summing its keys in ascending order with the +0 weights skipped (attention-paged-values.ts, blocks
// in table order). Rows go one at a time: the paired prefill path of `attention` gives each row the bits
// it gets alone, so nothing is lost but speed.
import { exps } from "./attention";
import { end0, end1, segments, start0, start1, windowStart } from "./attention-mask";
import { accumulateBlocks } from "./attention-paged-values";
import { dot4, resetRowMax, rowMaxScore, scoreRange } from "./attention-scores";
import { scaleRow, zeroRow } from "./attention-values";
import { hmax, hsum } from "./simd";

/** The address of block b's row 0, at the head's columns (col bytes into the row). */
@inline function blockAt(table: usize, b: i32, col: usize): usize {
  return <usize>load<i32>(table + (<usize>b << 2)) + col;
}

// The max of the scores written by the unmasked path of scoreBlocks since the row began (NaN once one is).
let blockMax: f32 = -Infinity;

/** Starts a query row: no score seen yet by scoreBlocks' unmasked path. */
export function resetBlockMax(): void {
  blockMax = -Infinity;
}

/** The max of the scores scoreBlocks' unmasked path wrote since resetBlockMax (NaN when one is NaN). */
export function blockMaxScore(): f32 {
  return blockMax;
}

/**
 * Scores of the keys [s, e) (s 8-aligned) of the query at qp into w, block by block; returns the end of
 * the written scores, e rounded up to 4 (padded with -inf), as scoreRange does for a contiguous range.
 * A block part whose keys are all visible is scored here, four keys at a time (dot4, as scoreRange's
 * unmasked path); a part with hidden keys goes through scoreRange. A key's score is the same either way.
 */
export function scoreBlocks(
  qr: usize, kTable: usize, col: usize, kRow: usize, B: i32, dh: i32, scale: f32, p0: i32,
  qp: i32, lowW: i32, sinks: i32, w: usize, s: i32, e: i32,
): i32 {
  const d4 = dh & ~3, sc = f32x4.splat(scale);
  let mx = f32x4.splat(blockMax), nan = f32x4.splat(0);
  for (let b = s / B; b * B < e; b++) {
    const first = b * B; // index of the block's row 0
    const from = max(s, first) - first, to = min(e, first + B) - first;
    const kb = blockAt(kTable, b, col);
    let r = from;
    if (p0 + first + from >= lowW && p0 + first + to - 1 <= qp) { // every key of the part is visible
      for (; r + 4 <= to; r += 4) {
        const t = f32x4.mul(dot4(qr, kb + <usize>r * kRow, kRow, d4, dh), sc);
        v128.store(w + (<usize>(first + r) << 2), t);
        mx = f32x4.pmax(mx, t);
        nan = v128.or(nan, f32x4.ne(t, t));
      }
    }
    // the rest of the part as a range of its own: key first + r is at position p0 + first + r
    if (r < to) scoreRange(qr, kb, kRow, dh, to, scale, true, p0 + first, 0, qp, lowW, sinks, w + (<usize>first << 2), r, to, 0, 0);
  }
  blockMax = v128.any_true(nan) ? <f32>NaN : hmax(mx);
  const padded = (e + 3) & ~3;
  for (let j = e; j < padded; j++) store<f32>(w + (<usize>j << 2), -Infinity);
  return padded;
}

/**
 * q [T, dh] (row stride qs) over the S keys and values of a block table -> out [T, dh] (os); strides in
 * elements. kTable, vTable: ceil(S / B) i32 block addresses; rs: row stride inside a block (elements);
 * col: byte offset of the head's columns in a row. Query row i is at position qStart + i, key j at p0 + j;
 * window and sinks as in `attention`. scores: scratch for (S + 7) & ~7 floats.
 * Returns 0, or i + 1 when query row i sees no key, or -(i + 1) when its scores hold a NaN.
 */
export function attention_paged(
  q: usize, qs: i32, kTable: usize, vTable: usize, col: i32, rs: i32, B: i32, out: usize, os: i32,
  T: i32, S: i32, dh: i32, scale: f32, qStart: i32, p0: i32, window: i32, sinks: i32, scores: usize,
): i32 {
  const row = (<usize>rs) << 2, c = <usize>col;
  for (let i = 0; i < T; i++) {
    const qr = q + ((<usize>i * <usize>qs) << 2), or = out + ((<usize>i * <usize>os) << 2);
    const qp = qStart + i, lowW = windowStart(qp, window);
    segments(true, p0, S, qp, lowW, sinks);
    const s0 = start0, e0 = end0, s1 = start1, e1 = end1;
    resetRowMax();
    resetBlockMax();
    const w0 = s0 < e0 ? scoreBlocks(qr, kTable, c, row, B, dh, scale, p0, qp, lowW, sinks, scores, s0, e0) : s0;
    const w1 = s1 < e1 ? scoreBlocks(qr, kTable, c, row, B, dh, scale, p0, qp, lowW, sinks, scores, s1, e1) : s1;
    const top = max(blockMax, rowMaxScore()); // NaN if either is
    if (top == -Infinity) return i + 1;
    if (isNaN(top)) return -(i + 1);
    const inv: f32 = 1 / hsum(exps(scores, s1, w1, top, exps(scores, s0, w0, top, f32x4.splat(0))));
    zeroRow(or, dh);
    accumulateBlocks(or, vTable, c, row, B, dh, scores, s0, min(e0, S));
    accumulateBlocks(or, vTable, c, row, B, dh, scores, s1, min(e1, S));
    scaleRow(or, dh, inv);
  }
  return 0;
}
