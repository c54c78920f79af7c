// Attention over int8 keys and values, one head, dequantizing inside the kernel: no float copy of the
// cache is made. Keys j < nq are int8 rows with per-token or per-channel scales (attention-int8-scores.ts);
// keys nq .. S - 1 are float32 rows (KIVI keeps the keys of a group that is not yet full in float until the
// group's per-channel scales are known). Values are int8 rows with one scale per row.
//
// The result is `attention` (attention.ts) over the dequantized rows x̂ = f32(q) · s up to float rounding:
// each scale multiplies a whole dot product (a key's per-token scale), the query (per-channel key scales)
// or a weight (a value row's scale) instead of every element, which saves a multiply per element read.
// Everything else is the float kernel's: the same index ranges, the same dot-product order, the exps and
// their 4-lane sum on the same index space (exps of attention.ts), every output column summing its keys in
// ascending order with the +0 weights skipped. Rows go one at a time.
import { exps } from "./attention";
import { end0, end1, segments, start0, start1, windowStart } from "./attention-mask";
import { maxScoreI8, resetMaxI8, scoreRangeI8 } from "./attention-int8-scores";
import { accumulateValuesI8, foldScales } from "./attention-int8-values";
import { resetRowMax, rowMaxScore, scoreRange } from "./attention-scores";
import { scaleRow, zeroRow } from "./attention-values";
import { hsum } from "./simd";

// The key operands of the call being run (set once per call; the helpers below read them).
let kq: usize = 0; // int8 key rows, kRow bytes apart
let kRow: usize = 0;
let kSc: usize = 0; // scales: per token [nq] f32, or per channel one row of kScRow bytes per G keys
let G: i32 = 0;
let kScRow: usize = 0;
let nq: i32 = 0; // keys [0, nq) are int8, [nq, S) float
let kf: usize = 0; // float key rows (key nq + r is row r), kfRow bytes apart
let kfRow: usize = 0;
let qg: usize = 0; // dh floats of scratch: the query times a per-channel group's scales

/** Sets the key operands scoreKeys reads (attention_int8's arguments of the same names; kfRow in bytes). */
export function setInt8Keys(kq_: usize, kRow_: usize, kSc_: usize, G_: i32, kScRow_: usize, nq_: i32, kf_: usize, kfRow_: usize, qg_: usize): void {
  kq = kq_; kRow = kRow_; kSc = kSc_; G = G_; kScRow = kScRow_; nq = nq_; kf = kf_; kfRow = kfRow_; qg = qg_;
}

/**
 * Scores of the keys [s, e) (s 8-aligned) of the query at qp into w: the int8 part, then the float part;
 * returns e rounded up to 4 (w padded with -inf up to there).
 */
export function scoreKeys(qr: usize, dh: i32, S: i32, scale: f32, p0: i32, qp: i32, lowW: i32, sinks: i32, w: usize, s: i32, e: i32): i32 {
  const qe = min(e, nq);
  if (s < qe) scoreRangeI8(qr, kq, kRow, kSc, G, kScRow, dh, scale, p0, qp, lowW, sinks, w, s, qe, qg);
  const fs = max(s, nq);
  if (fs < e) scoreRange(qr, kf, kfRow, dh, S - nq, scale, true, p0 + nq, 0, qp, lowW, sinks, w + (<usize>nq << 2), fs - nq, e - nq, 0, 0);
  const padded = (e + 3) & ~3;
  for (let j = e; j < padded; j++) store<f32>(w + (<usize>j << 2), -Infinity);
  return padded;
}

/**
 * q [T, dh] (row stride qs, elements) over S keys and values -> out [T, dh] (os). Keys: kq_ (int8, kRow_
 * bytes apart) with scales kSc_ (G_ = 0: per token, f32 [nq]; G_ > 0, a multiple of 4: per channel, a row
 * of dh f32 every G_ keys, kScRow_ bytes apart) for keys < nq_, then float rows kf_ (kfRow_ elements
 * apart). Values: vq (int8, vRow bytes apart), scales vSc (f32 [S]). Query row i is at qStart + i, key j
 * at p0 + j; window and sinks as in `attention`. scores: scratch for ((S + 7) & ~7) + dh floats.
 * Returns 0, or i + 1 when query row i sees no key, or -(i + 1) when its scores hold a NaN.
 */
export function attention_int8(
  q: usize, qs: i32, kq_: usize, kRow_: i32, kSc_: usize, G_: i32, kScRow_: i32, nq_: i32, kf_: usize, kfRow_: i32,
  vq: usize, vRow: i32, vSc: usize, out: usize, os: i32,
  T: i32, S: i32, dh: i32, scale: f32, qStart: i32, p0: i32, window: i32, sinks: i32, scores: usize,
): i32 {
  setInt8Keys(kq_, <usize>kRow_, kSc_, G_, <usize>kScRow_, min(nq_, S), kf_, (<usize>kfRow_) << 2, scores + (<usize>((S + 7) & ~7) << 2));
  for (let i = 0; i < T; i++) {
    const qr = q + ((<usize>i * <usize>qs) << 2), or = out + ((<usize>i * <usize>os) << 2);
    const qp = qStart + i, lowW = windowStart(qp, window);
    segments(true, p0, S, qp, lowW, sinks);
    const s0 = start0, e0 = end0, s1 = start1, e1 = end1;
    resetMaxI8();
    resetRowMax();
    const w0 = s0 < e0 ? scoreKeys(qr, dh, S, scale, p0, qp, lowW, sinks, scores, s0, e0) : s0;
    const w1 = s1 < e1 ? scoreKeys(qr, dh, S, scale, p0, qp, lowW, sinks, scores, s1, e1) : s1;
    const top = max(maxScoreI8(), rowMaxScore()); // NaN if either is
    if (top == -Infinity) return i + 1;
    if (isNaN(top)) return -(i + 1);
    const inv: f32 = 1 / hsum(exps(scores, s1, w1, top, exps(scores, s0, w0, top, f32x4.splat(0))));
    zeroRow(or, dh);
    if (s0 < e0) {
      foldScales(scores, vSc, s0, min(e0, S));
      accumulateValuesI8(or, vq, <usize>vRow, dh, scores, s0, min(e0, S));
    }
    if (s1 < e1) {
      foldScales(scores, vSc, s1, min(e1, S));
      accumulateValuesI8(or, vq, <usize>vRow, dh, scores, s1, min(e1, S));
    }
    scaleRow(or, dh, inv);
  }
  return 0;
}
