// Fused attention of T queries over S keys, one head: for each query row i at position qStart + i,
//   s_j = (q_i · k_j) · scale for the keys it may see (causal, optional window and sinks), -inf otherwise
//   out_i = Σ_j exp(s_j - max) · v_j / Σ_j exp(s_j - max)
// without writing the [T, S] score matrix anywhere but a reused scratch row. Per row: scores of the keys
// in the row's index ranges (attention-mask.ts: with consecutive positions only the sinks and the window,
// so a causal row never touches the keys after it), exp and sum, then the weighted sum of values.
// Determinism: each key's score is one dot product in a fixed order (attention-scores.ts), the sum of the
// exps runs in 4 lanes by key index (hidden keys add exact zeros), and each output column sums the keys in
// ascending order with the hidden ones skipped. So a query row gets the same bits however many rows share
// the call, whatever hidden keys it has, and whether or not its positions were found consecutive.
import { consecutive, end0, end1, segments, start0, start1, windowStart } from "./attention-mask";
import { resetRowMax, rowMaxScore, scoreRange } from "./attention-scores";
import { accumulateValues, scaleRow, zeroRow } from "./attention-values";
import { expx4 } from "./exp";
import { hsum } from "./simd";

/** scores [start, end) (4-aligned) := exp(s - top) with -inf -> exactly 0; returns sum4 + their sum by lane. */
@inline function exps(scores: usize, start: i32, end: i32, top: f32, sum4: v128): v128 {
  const NEG_INF = f32x4.splat(-Infinity), top4 = f32x4.splat(top);
  for (let c = start; c < end; c += 4) {
    const at = scores + (<usize>c << 2);
    const s = v128.load(at);
    const e = v128.and(expx4(f32x4.sub(s, top4)), f32x4.ne(s, NEG_INF)); // hidden -> exactly 0
    v128.store(at, e);
    sum4 = f32x4.add(sum4, e);
  }
  return sum4;
}

/**
 * q [T, dh] (row stride qs), k [S, dh] (ks), v [S, dh] (vs) -> out [T, dh] (os); strides in elements.
 * pos: S i32 key positions. scores: scratch for (S + 7) & ~7 floats.
 * Returns 0, or i + 1 when query row i sees no key at all, or -(i + 1) when its scores hold a NaN.
 */
export function attention(
  q: usize, qs: i32, k: usize, ks: i32, v: usize, vs: i32, out: usize, os: i32,
  T: i32, S: i32, dh: i32, scale: f32, qStart: i32, pos: usize, window: i32, sinks: i32, scores: usize,
): i32 {
  const kRow = (<usize>ks) << 2, vRow = (<usize>vs) << 2;
  const consec = consecutive(pos, S);
  const p0 = S > 0 ? load<i32>(pos) : 0;
  for (let i = 0; i < T; i++) {
    const qr = q + ((<usize>i * <usize>qs) << 2);
    const qp = qStart + i;
    const lowW = windowStart(qp, window);
    segments(consec, p0, S, qp, lowW, sinks);
    const s0 = start0, e0 = end0, s1 = start1, e1 = end1;
    resetRowMax();
    const w0 = s0 < e0 ? scoreRange(qr, k, kRow, dh, S, scale, consec, p0, pos, qp, lowW, sinks, scores, s0, e0) : s0;
    const w1 = s1 < e1 ? scoreRange(qr, k, kRow, dh, S, scale, consec, p0, pos, qp, lowW, sinks, scores, s1, e1) : s1;
    const top = rowMaxScore();
    if (top == -Infinity) return i + 1;
    if (isNaN(top)) return -(i + 1);
    const sum4 = exps(scores, s1, w1, top, exps(scores, s0, w0, top, f32x4.splat(0)));
    const inv: f32 = 1 / hsum(sum4);
    const or = out + ((<usize>i * <usize>os) << 2);
    zeroRow(or, dh);
    accumulateValues(or, v, vRow, dh, scores, s0, min(w0, S));
    accumulateValues(or, v, vRow, dh, scores, s1, min(w1, S));
    scaleRow(or, dh, inv);
  }
  return 0;
}
