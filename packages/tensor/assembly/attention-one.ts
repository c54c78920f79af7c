// Attention of one query row (a decode step) in phases that several threads can share, with the bits of
// the attention record's own kernel for that row (attention.ts, attention-paged.ts or attention-int8.ts):
//   attention1_begin   reads one head of a kernel program's attention record (program.ts) into a state
//                      block: the operands and the row's index ranges (attention-mask.ts)
//   attention1_scores  the scores of part p of P of those ranges: pieces cut at multiples of 8 keys from
//                      each range's start, each scored by the kernel's own score loop (every key's score is
//                      its own dot product, whichever call makes it), and the part's max
//   attention1_weights the max over the parts (max is exact; a ±0 max gives the same exps), then the exps
//                      and their sum over the whole row in the kernel's order, on one thread (int8: each
//                      weight times its value row's scale, as the kernel folds them)
//   or, over many keys, the same in three steps: attention1_max (the max over the parts), attention1_exps
//                      (stretch c of C of the exps: each weight is its own exp; stretch 0, the first in the
//                      sum's order, also starts the sum), then attention1_sum (the sum continued over the
//                      other stretches in the kernel's order on one thread, and the rest of attention1_weights)
//   attention1_values  the value pass for the output columns [c0, c1) (c0 a multiple of 4): each column
//                      sums its keys in ascending order whichever columns share the call
// Nothing is summed across parts: the parts only split work whose every output is computed whole.
// Every argument is an integer (addresses, counts): the scale travels in the state block.
import { exps, firstNonzero, lastNonzero, sumWeights } from "./attention";
import { foldScales, accumulateValuesI8 } from "./attention-int8-values";
import { maxScoreI8, resetMaxI8 } from "./attention-int8-scores";
import { scoreKeys, setInt8Keys } from "./attention-int8";
import { consecutive, end0, end1, segments, start0, start1, windowStart } from "./attention-mask";
import { blockMaxScore, resetBlockMax, scoreBlocks } from "./attention-paged";
import { accumulateBlocks } from "./attention-paged-values";
import { resetRowMax, rowMaxScore, scoreRange } from "./attention-scores";
import { accumulateValues, scaleRow, zeroRow } from "./attention-values";
import { OP_ATTENTION_INT8, OP_ATTENTION_PAGED } from "./program";
import { hsum } from "./simd";

// the kinds of record (program.ts's ops): every other attention record reads rows
const PAGED = OP_ATTENTION_PAGED, INT8 = OP_ATTENTION_INT8;

// the state block, i32 slots
const KIND = 0, Q = 1, K = 2, K_ROW = 3, V = 4, V_ROW = 5, OUT = 6, KEYS = 7, DH = 8, SCALE = 9;
const QPOS = 10, POS = 11, P0 = 12, LOW_W = 13, SINKS = 14, CONSEC = 15, W = 16, COL = 17, B = 18;
const K_SC = 19, G = 20, K_SC_ROW = 21, NQ = 22, KF = 23, KF_ROW = 24, V_SC = 25;
const S0 = 26, E0 = 27, S1 = 28, E1 = 29, W0 = 30, W1 = 31, RA = 32, RB = 33, RC = 34, RD = 35, INV = 36, TOP = 37;
const SUM4 = 40; // slots 40-43: the sum of the exps so far by lane, f32x4
const MAXES = 64; // the parts' maxima (f32), MAX_PARTS of them
/** Most parts of a score pass. */
export const MAX_PARTS: i32 = 48;
/** Bytes of the state block before the parts' query scratch (dh floats per part, int8 keys with per-channel scales). */
export const STATE_HEAD: i32 = 4 * (MAXES + MAX_PARTS);

@inline function get(state: usize, i: i32): i32 {
  return load<i32>(state + (<usize>i << 2));
}

@inline function at(state: usize, i: i32): usize {
  return <usize>load<i32>(state + (<usize>i << 2));
}

@inline function put(state: usize, i: i32, x: i32): void {
  store<i32>(state + (<usize>i << 2), x);
}

@inline function arg(r: usize, i: i32): i32 {
  return load<i32>(r + (<usize>i << 2));
}

/**
 * Head `head` of the attention record at `rec` (one query row; the layouts of program.ts) into the state
 * block (STATE_HEAD + MAX_PARTS · 4 · dh bytes), with the row's index ranges.
 */
export function attention1_begin(rec: usize, head: i32, state: usize): void {
  const kind = arg(rec, 0);
  put(state, KIND, kind);
  let S: i32, dh: i32, qpos: i32, window: i32, sinks: i32, consec = true, p0: i32;
  if (kind == INT8) {
    const d = arg(rec, 4), g = arg(rec, 6);
    dh = arg(rec, 16); S = arg(rec, 15);
    const c = head * dh; // the head's first column
    put(state, Q, arg(rec, 1) + 4 * c); put(state, K, arg(rec, 3) + c); put(state, K_ROW, d);
    put(state, K_SC, g > 0 ? arg(rec, 5) + 4 * c : arg(rec, 5)); put(state, G, g); put(state, K_SC_ROW, 4 * d);
    put(state, NQ, min(arg(rec, 7), S)); put(state, KF, arg(rec, 8) + 4 * c); put(state, KF_ROW, arg(rec, 9) << 2);
    put(state, V, arg(rec, 10) + c); put(state, V_ROW, d); put(state, V_SC, arg(rec, 11)); put(state, OUT, arg(rec, 12) + 4 * c);
    put(state, SCALE, arg(rec, 17)); qpos = arg(rec, 18); p0 = arg(rec, 19); window = arg(rec, 20); sinks = arg(rec, 21);
    put(state, W, arg(rec, 22));
  } else {
    dh = arg(rec, 11); S = arg(rec, 10);
    const c = head * dh * 4; // byte offset of the head's columns
    put(state, Q, arg(rec, 1) + c); put(state, OUT, arg(rec, 7) + c); put(state, SCALE, arg(rec, 12));
    qpos = arg(rec, 13); window = arg(rec, 15); sinks = arg(rec, 16); put(state, W, arg(rec, 17));
    if (kind == PAGED) {
      put(state, K, arg(rec, 3)); put(state, V, arg(rec, 4)); put(state, COL, c);
      put(state, K_ROW, arg(rec, 5) << 2); put(state, V_ROW, arg(rec, 5) << 2); put(state, B, arg(rec, 6));
      p0 = arg(rec, 14);
    } else {
      put(state, K, arg(rec, 3) + c); put(state, K_ROW, arg(rec, 4) << 2);
      put(state, V, arg(rec, 5) + c); put(state, V_ROW, arg(rec, 6) << 2);
      const pos = <usize>arg(rec, 14);
      consec = consecutive(pos, S);
      p0 = S > 0 ? load<i32>(pos) : 0;
      put(state, POS, <i32>pos);
    }
  }
  const lowW = windowStart(qpos, window);
  segments(consec, p0, S, qpos, lowW, sinks);
  put(state, KEYS, S); put(state, DH, dh); put(state, QPOS, qpos); put(state, P0, p0); put(state, LOW_W, lowW);
  put(state, SINKS, sinks); put(state, CONSEC, consec ? 1 : 0);
  put(state, S0, start0); put(state, E0, end0); put(state, S1, start1); put(state, E1, end1);
  put(state, W0, start0); put(state, W1, start1);
}

/** Scores of the keys [a, b) (a 8-aligned) into the row's weights with the record's kernel; returns the padded end. */
function scorePiece(state: usize, a: i32, b: i32): i32 {
  const kind = get(state, KIND), S = get(state, KEYS), dh = get(state, DH), scale = load<f32>(state + (<usize>SCALE << 2));
  const qpos = get(state, QPOS), p0 = get(state, P0), lowW = get(state, LOW_W), sinks = get(state, SINKS);
  const q = at(state, Q), k = at(state, K), kRow = at(state, K_ROW), w = at(state, W);
  if (kind == PAGED) return scoreBlocks(q, k, at(state, COL), kRow, get(state, B), dh, scale, p0, qpos, lowW, sinks, w, a, b);
  if (kind == INT8) return scoreKeys(q, dh, S, scale, p0, qpos, lowW, sinks, w, a, b);
  return scoreRange(q, k, kRow, dh, S, scale, get(state, CONSEC) != 0, p0, at(state, POS), qpos, lowW, sinks, w, a, b, 0, 0);
}

/**
 * Part `part` of `parts` of the score pass: of each range [s, e), the keys from s + ⌊len·part/parts⌋₈ to
 * the next part's start (the last part: to e); the part's max into the state block.
 */
export function attention1_scores(state: usize, part: i32, parts: i32): void {
  const kind = get(state, KIND);
  resetRowMax();
  resetBlockMax();
  resetMaxI8();
  if (kind == INT8) {
    const qg = state + <usize>STATE_HEAD + ((<usize>(part * get(state, DH))) << 2); // this part's own scratch
    setInt8Keys(at(state, K), at(state, K_ROW), at(state, K_SC), get(state, G), at(state, K_SC_ROW), get(state, NQ), at(state, KF), at(state, KF_ROW), qg);
  }
  for (let r = 0; r < 2; r++) {
    const s = get(state, r == 0 ? S0 : S1), e = get(state, r == 0 ? E0 : E1);
    if (s >= e) continue;
    const len = <i64>(e - s);
    const a = s + (<i32>(len * part / parts) & ~7);
    const b = part == parts - 1 ? e : s + (<i32>(len * (part + 1) / parts) & ~7);
    if (a >= b) continue;
    const padded = scorePiece(state, a, b);
    if (part == parts - 1) put(state, r == 0 ? W0 : W1, padded);
  }
  const top = kind == PAGED ? max(blockMaxScore(), rowMaxScore()) : kind == INT8 ? max(maxScoreI8(), rowMaxScore()) : rowMaxScore();
  store<f32>(state + (<usize>(MAXES + part) << 2), top);
}

/**
 * After every part's scores: the row's max over the parts into the state block. Returns 0, 1 when the row
 * sees no key, -1 when a score is NaN (the kernel's results for a row).
 */
export function attention1_max(state: usize, parts: i32): i32 {
  let top: f32 = -Infinity;
  for (let p = 0; p < parts; p++) top = max(top, load<f32>(state + (<usize>(MAXES + p) << 2))); // NaN wins
  store<f32>(state + (<usize>TOP << 2), top);
  if (top == -Infinity) return 1;
  if (isNaN(top)) return -1;
  return 0;
}

/**
 * The weights in the sum's order — [s0, w0) then [s1, w1), x from 0 to L = (w0 - s0) + (w1 - s1) — cut in
 * `chunks` stretches at multiples of 8: the start of stretch c (c = chunks: L).
 */
function stretchStart(state: usize, c: i32, chunks: i32): i32 {
  const L = <i64>(get(state, W0) - get(state, S0) + get(state, W1) - get(state, S1));
  return c >= chunks ? <i32>L : <i32>(L * c / chunks) & ~7;
}

/**
 * The weights [x0, x1) of the sum's order (x0, x1 multiples of 4) := exp(s - top); with `sum`, their sum
 * by lane added to the state block's, as exps adds them (without, exps's running sum is dropped: its adds
 * hide behind the exps).
 */
function expsStretch(state: usize, x0: i32, x1: i32, sum: bool): void {
  const w = at(state, W), top = load<f32>(state + (<usize>TOP << 2));
  const s0 = get(state, S0), L0 = get(state, W0) - s0, s1 = get(state, S1);
  let sum4 = sum ? v128.load(state + (<usize>SUM4 << 2)) : f32x4.splat(0);
  if (x0 < L0) sum4 = exps(w, s0 + x0, s0 + min(x1, L0), top, sum4);
  if (x1 > L0) sum4 = exps(w, s1 + max(x0 - L0, 0), s1 + x1 - L0, top, sum4);
  if (sum) v128.store(state + (<usize>SUM4 << 2), sum4);
}

/**
 * After attention1_max: stretch `chunk` of `chunks` of the exps (stretchStart). Each weight is its own
 * exp, so any thread may compute any stretch; stretch 0, a prefix of the sum's order, also sums its
 * weights (as attention1_weights would, for free beside the exps), the rest is for attention1_sum.
 */
export function attention1_exps(state: usize, chunk: i32, chunks: i32): void {
  if (chunk == 0) v128.store(state + (<usize>SUM4 << 2), f32x4.splat(0));
  expsStretch(state, stretchStart(state, chunk, chunks), stretchStart(state, chunk + 1, chunks), chunk == 0);
}

/** After attention1_exps of every chunk: the sum continued past stretch 0 in the kernel's order, then finish. */
export function attention1_sum(state: usize, chunks: i32): void {
  const w = at(state, W), s0 = get(state, S0), L0 = get(state, W0) - s0, s1 = get(state, S1), w1 = get(state, W1);
  const x = stretchStart(state, 1, chunks);
  let sum4 = v128.load(state + (<usize>SUM4 << 2));
  if (x < L0) sum4 = sumWeights(w, s0 + x, s0 + L0, sum4);
  sum4 = sumWeights(w, s1 + max(x - L0, 0), w1, sum4);
  finish(state, sum4);
}

/**
 * After every part's scores: the row's max, exps and their sum into the weights and the state block, on
 * one thread. Returns attention1_max's result.
 */
export function attention1_weights(state: usize, parts: i32): i32 {
  const r = attention1_max(state, parts);
  if (r != 0) return r;
  const top = load<f32>(state + (<usize>TOP << 2)), w = at(state, W);
  const s0 = get(state, S0), s1 = get(state, S1), w0 = get(state, W0), w1 = get(state, W1);
  finish(state, exps(w, s1, w1, top, exps(w, s0, w0, top, f32x4.splat(0))));
  return 0;
}

/**
 * The reciprocal of the weights' sum (sum4 by lane) into the state block, then what the value pass needs
 * of the final weights: the rows kind's ranges trimmed of +0 weights, the int8 kind's scales folded in.
 */
function finish(state: usize, sum4: v128): void {
  const kind = get(state, KIND), w = at(state, W), S = get(state, KEYS);
  const s0 = get(state, S0), s1 = get(state, S1), w0 = get(state, W0), w1 = get(state, W1);
  store<f32>(state + (<usize>INV << 2), 1 / hsum(sum4));
  if (kind != PAGED && kind != INT8) {
    const ra = firstNonzero(w, s0, min(w0, S)), rc = firstNonzero(w, s1, min(w1, S));
    put(state, RA, ra); put(state, RB, lastNonzero(w, ra, min(w0, S)));
    put(state, RC, rc); put(state, RD, lastNonzero(w, rc, min(w1, S)));
  } else if (kind == INT8) {
    const vSc = at(state, V_SC), e0 = get(state, E0), e1 = get(state, E1);
    if (s0 < e0) foldScales(w, vSc, s0, min(e0, S));
    if (s1 < e1) foldScales(w, vSc, s1, min(e1, S));
  }
}

/** Columns [c0, c1) of the output row: Σ w[j]·v_j / Σ w over the row's ranges, with the record's kernel's value pass. */
export function attention1_values(state: usize, c0: i32, c1: i32): void {
  const kind = get(state, KIND), w = at(state, W), S = get(state, KEYS), vRow = at(state, V_ROW);
  const n = c1 - c0, o = at(state, OUT) + (<usize>c0 << 2);
  const s0 = get(state, S0), e0 = min(get(state, E0), S), s1 = get(state, S1), e1 = min(get(state, E1), S);
  zeroRow(o, n);
  if (kind == PAGED) {
    const table = at(state, V), col = at(state, COL) + (<usize>c0 << 2), B_ = get(state, B);
    accumulateBlocks(o, table, col, vRow, B_, n, w, s0, e0);
    accumulateBlocks(o, table, col, vRow, B_, n, w, s1, e1);
  } else if (kind == INT8) {
    const v = at(state, V) + <usize>c0;
    if (s0 < e0) accumulateValuesI8(o, v, vRow, n, w, s0, e0);
    if (s1 < e1) accumulateValuesI8(o, v, vRow, n, w, s1, e1);
  } else {
    const v = at(state, V) + (<usize>c0 << 2);
    accumulateValues(o, v, vRow, n, w, get(state, RA), get(state, RB));
    accumulateValues(o, v, vRow, n, w, get(state, RC), get(state, RD));
  }
  scaleRow(o, n, load<f32>(state + (<usize>INV << 2)));
}
