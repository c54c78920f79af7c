// Fused attention of T queries over S keys, one head: for each query row i at position qStart + i,
//   s_j = (q_i · k_j) · scale for the keys it may see (causal, optional window and sinks), -inf otherwise
//   out_i = Σ_j exp(s_j - max) · v_j / Σ_j exp(s_j - max)
// without writing the [T, S] score matrix anywhere but reused scratch rows. Per row: scores of the keys
// in the row's index ranges (attention-mask.ts: with consecutive positions only the sinks and the window,
// so a causal row never touches the keys after it), exp and sum, then the weighted sum of values. Rows go
// in pairs, each with its own scratch row, so that each key and value vector loaded serves both: with
// consecutive positions the key blocks both rows see whole are scored for the two at once
// (attention-scores-pair.ts), and the value pass runs for the two at once (attention-values-pair.ts).
// The last row of an odd T, and a single decode query, go alone.
// Determinism: each key's score is one dot product in a fixed order (attention-scores.ts; the paired path
// repeats it op for op), the sum of the exps runs in 4 lanes by key index (hidden keys add exact zeros),
// and each output column sums the keys in ascending order with the +0 weights skipped (attention-values.ts,
// alone or paired). So a query row gets
// the same bits however many rows share the call, whatever hidden keys it has, and whether or not its
// positions were found consecutive.
import { consecutive, end0, end1, segments, start0, start1, windowStart } from "./attention-mask";
import { resetRowMax, rowMaxScore, scoreRange } from "./attention-scores";
import { scoresPair } from "./attention-scores-pair";
import { accumulateValues, scaleRow, zeroRow } from "./attention-values";
import { valuesPair } from "./attention-values-pair";
import { expx4 } from "./exp";
import { hsum } from "./simd";

/** exp(s - top) for four scores s, with -inf -> exactly 0: the weight of each key, whoever computes it. */
@inline function weight4(s: v128, top4: v128): v128 {
  return v128.and(expx4(f32x4.sub(s, top4)), f32x4.ne(s, f32x4.splat(-Infinity)));
}

/** scores [start, end) (4-aligned) := exp(s - top) with -inf -> exactly 0; returns sum4 + their sum by lane. */
@inline export function exps(scores: usize, start: i32, end: i32, top: f32, sum4: v128): v128 {
  const top4 = f32x4.splat(top);
  let c = start;
  for (; c + 16 <= end; c += 16) { // four vectors an iteration, summed in the same order
    const at = scores + (<usize>c << 2);
    const e0 = weight4(v128.load(at), top4), e1 = weight4(v128.load(at, 16), top4);
    const e2 = weight4(v128.load(at, 32), top4), e3 = weight4(v128.load(at, 48), top4);
    v128.store(at, e0); v128.store(at, e1, 16); v128.store(at, e2, 32); v128.store(at, e3, 48);
    sum4 = f32x4.add(f32x4.add(f32x4.add(f32x4.add(sum4, e0), e1), e2), e3);
  }
  for (; c < end; c += 4) {
    const at = scores + (<usize>c << 2);
    const e = weight4(v128.load(at), top4);
    v128.store(at, e);
    sum4 = f32x4.add(sum4, e);
  }
  return sum4;
}

/** The sum of exps: sum4 + the weights [start, end) (4-aligned) by lane, added one vector after another as exps does. */
export function sumWeights(w: usize, start: i32, end: i32, sum4: v128): v128 {
  let c = start;
  for (; c + 16 <= end; c += 16) {
    const at = w + (<usize>c << 2);
    sum4 = f32x4.add(f32x4.add(f32x4.add(f32x4.add(sum4, v128.load(at)), v128.load(at, 16)), v128.load(at, 32)), v128.load(at, 48));
  }
  for (; c < end; c += 4) sum4 = f32x4.add(sum4, v128.load(w + (<usize>c << 2)));
  return sum4;
}

/** The first index in [start, end) whose weight is not +0 (end if none). */
@inline export function firstNonzero(w: usize, start: i32, end: i32): i32 {
  while (start < end && load<i32>(w + (<usize>start << 2)) == 0) start++;
  return start;
}

/** One past the last index in [start, end) whose weight is not +0 (start if none). */
@inline export function lastNonzero(w: usize, start: i32, end: i32): i32 {
  while (end > start && load<i32>(w + (<usize>(end - 1) << 2)) == 0) end--;
  return end;
}

// What rowWeights leaves for the value pass of its row: the weights' reciprocal sum, and the key ranges
// [ra, rb) then [rc, rd) (ascending, disjoint, possibly empty) outside which every weight is +0. The
// ranges are trimmed of +0 weights at both ends: the value pass skips those keys anyway, so the bits are
// the same, and two paired rows then share more of their keys.
let rowInv: f32 = 0;
let ra: i32 = 0;
let rb: i32 = 0;
let rc: i32 = 0;
let rd: i32 = 0;

/**
 * Scores and exps of the query row qr at position qp into w [S + 7]; sets rowInv and ra..rd. The blocks
 * [pre0, pre1) of w already hold the row's scores (scoresPair).
 * Returns 0, 1 when the row sees no key, -1 when a score is NaN.
 */
function rowWeights(
  qr: usize, k: usize, kRow: usize, dh: i32, S: i32, scale: f32, consec: bool, p0: i32, pos: usize,
  qp: i32, window: i32, sinks: i32, w: usize, pre0: i32, pre1: i32,
): i32 {
  const lowW = windowStart(qp, window);
  segments(consec, p0, S, qp, lowW, sinks);
  const s0 = start0, e0 = end0, s1 = start1, e1 = end1;
  resetRowMax();
  const w0 = s0 < e0 ? scoreRange(qr, k, kRow, dh, S, scale, consec, p0, pos, qp, lowW, sinks, w, s0, e0, pre0, pre1) : s0;
  const w1 = s1 < e1 ? scoreRange(qr, k, kRow, dh, S, scale, consec, p0, pos, qp, lowW, sinks, w, s1, e1, pre0, pre1) : s1;
  const top = rowMaxScore();
  if (top == -Infinity) return 1;
  if (isNaN(top)) return -1;
  const sum4 = exps(w, s1, w1, top, exps(w, s0, w0, top, f32x4.splat(0)));
  rowInv = 1 / hsum(sum4);
  ra = firstNonzero(w, s0, min(w0, S));
  rb = lastNonzero(w, ra, min(w0, S));
  rc = firstNonzero(w, s1, min(w1, S));
  rd = lastNonzero(w, rc, min(w1, S));
  return 0;
}

/** out row or := Σ w[j] · v_j · inv over the ranges [a0, a1) then [a2, a3): one row's value pass. */
function valuesRow(or: usize, v: usize, vRow: usize, dh: i32, w: usize, a0: i32, a1: i32, a2: i32, a3: i32, inv: f32): void {
  zeroRow(or, dh);
  accumulateValues(or, v, vRow, dh, w, a0, a1);
  accumulateValues(or, v, vRow, dh, w, a2, a3);
  scaleRow(or, dh, inv);
}

/**
 * q [T, dh] (row stride qs), k [S, dh] (ks), v [S, dh] (vs) -> out [T, dh] (os); strides in elements.
 * pos: S i32 key positions. scores: scratch for (S + 7) & ~7 floats when T = 1, twice that when T > 1
 * (one row per query of a pair, the second at scores + ((S + 7) & ~7) * 4).
 * Returns 0, or i + 1 when query row i sees no key at all, or -(i + 1) when its scores hold a NaN (the
 * rows before i are written).
 */
export function attention(
  q: usize, qs: i32, k: usize, ks: i32, v: usize, vs: i32, out: usize, os: i32,
  T: i32, S: i32, dh: i32, scale: f32, qStart: i32, pos: usize, window: i32, sinks: i32, scores: usize,
): i32 {
  const kRow = (<usize>ks) << 2, vRow = (<usize>vs) << 2;
  const consec = consecutive(pos, S);
  const p0 = S > 0 ? load<i32>(pos) : 0;
  const wb = scores + (<usize>((S + 7) & ~7) << 2); // the second row's weights
  let i = 0;
  for (; i + 2 <= T; i += 2) {
    const qa = q + ((<usize>i * <usize>qs) << 2), qb = qa + ((<usize>qs) << 2), oa = out + ((<usize>i * <usize>os) << 2);
    // the blocks of 8 keys both rows see whole: in the second row's window and at or before the first row
    let pre0 = 0, pre1 = 0;
    if (consec && (dh & 3) == 0) {
      const lo = (<i32>min<i64>(max<i64>(<i64>windowStart(qStart + i + 1, window) - <i64>p0, 0), S) + 7) & ~7;
      const hi = <i32>max<i64>(min<i64>(<i64>qStart + i + 1 - <i64>p0, S), 0) & ~7;
      if (lo < hi) {
        scoresPair(qa, qb, k, kRow, dh, scale, scores, wb, lo, hi);
        pre0 = lo;
        pre1 = hi;
      }
    }
    let r = rowWeights(qa, k, kRow, dh, S, scale, consec, p0, pos, qStart + i, window, sinks, scores, pre0, pre1);
    if (r != 0) return r * (i + 1);
    const invA = rowInv, a0 = ra, a1 = rb, a2 = rc, a3 = rd;
    r = rowWeights(qb, k, kRow, dh, S, scale, consec, p0, pos, qStart + i + 1, window, sinks, wb, pre0, pre1);
    if (r != 0) { // row i is fine: finish it alone, then report row i + 1
      valuesRow(oa, v, vRow, dh, scores, a0, a1, a2, a3, invA);
      return r * (i + 2);
    }
    valuesPair(oa, oa + ((<usize>os) << 2), v, vRow, dh, scores, wb, a0, a1, a2, a3, ra, rb, rc, rd);
    scaleRow(oa, dh, invA);
    scaleRow(oa + ((<usize>os) << 2), dh, rowInv);
  }
  if (i < T) {
    const qr = q + ((<usize>i * <usize>qs) << 2);
    const r = rowWeights(qr, k, kRow, dh, S, scale, consec, p0, pos, qStart + i, window, sinks, scores, 0, 0);
    if (r != 0) return r * (i + 1);
    valuesRow(out + ((<usize>i * <usize>os) << 2), v, vRow, dh, scores, ra, rb, rc, rd, rowInv);
  }
  return 0;
}
