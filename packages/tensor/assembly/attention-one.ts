// Attention of one query row (a decode step) in phases that several threads can share, with the bits of
// `attention` (attention.ts) for that row:
//   attention1_begin   the row's index ranges (attention-mask.ts), into a small state block
//   attention1_scores  the scores of part p of P of those ranges: pieces cut at multiples of 8 keys, each
//                      through scoreRange (every key's score is its own dot product, whichever call makes
//                      it), and the part's max
//   attention1_weights the max over the parts (max is exact; a ±0 max gives the same exps), then the exps
//                      and their sum over the whole row in attention's order, on one thread
//   attention1_values  the value pass for the output columns [c0, c1) (c0 a multiple of 4): each column
//                      sums its keys in ascending order whichever columns share the call
// Nothing is summed across parts: the parts only split work whose every output is computed whole.
import { exps, firstNonzero, lastNonzero } from "./attention";
import { consecutive, end0, end1, segments, start0, start1, windowStart } from "./attention-mask";
import { resetRowMax, rowMaxScore, scoreRange } from "./attention-scores";
import { accumulateValues, scaleRow, zeroRow } from "./attention-values";
import { hsum } from "./simd";

// the state block, i32 slots (then the parts' maxima as f32 from MAXES)
const S0 = 0, E0 = 1, S1 = 2, E1 = 3, CONSEC = 4, P0 = 5, LOW_W = 6, W0 = 7, W1 = 8;
const RA = 9, RB = 10, RC = 11, RD = 12, INV = 13, KEYS = 14;
const MAXES = 16;
/** Most parts of a score pass. */
export const MAX_PARTS: i32 = 48;

@inline function get(state: usize, i: i32): i32 {
  return load<i32>(state + (<usize>i << 2));
}

@inline function put(state: usize, i: i32, x: i32): void {
  store<i32>(state + (<usize>i << 2), x);
}

/** The ranges of the query at qpos over S keys at pos (window, sinks as attention's) into state (64 + 4·MAX_PARTS bytes). */
export function attention1_begin(S: i32, pos: usize, qpos: i32, window: i32, sinks: i32, state: usize): void {
  const consec = consecutive(pos, S);
  const p0 = S > 0 ? load<i32>(pos) : 0;
  const lowW = windowStart(qpos, window);
  segments(consec, p0, S, qpos, lowW, sinks);
  put(state, S0, start0); put(state, E0, end0); put(state, S1, start1); put(state, E1, end1);
  put(state, CONSEC, consec ? 1 : 0); put(state, P0, p0); put(state, LOW_W, lowW);
  put(state, W0, start0); put(state, W1, start1); put(state, KEYS, S);
}

/**
 * Part `part` of `parts` of the score pass of query q (k [S, dh], rows ks floats apart) into w [S + 7]:
 * of each range [s, e), the keys from s + ⌊len·part/parts⌋₈ to the next part's start (the last part: to e).
 */
export function attention1_scores(q: usize, k: usize, ks: i32, dh: i32, scale: f32, pos: usize, qpos: i32, sinks: i32, w: usize, state: usize, part: i32, parts: i32): void {
  const kRow = (<usize>ks) << 2, S = get(state, KEYS);
  const consec = get(state, CONSEC) != 0, p0 = get(state, P0), lowW = get(state, LOW_W);
  resetRowMax();
  for (let r = 0; r < 2; r++) {
    const s = get(state, r == 0 ? S0 : S1), e = get(state, r == 0 ? E0 : E1);
    if (s >= e) continue;
    const len = <i64>(e - s);
    const a = s + (<i32>(len * part / parts) & ~7);
    const b = part == parts - 1 ? e : s + (<i32>(len * (part + 1) / parts) & ~7);
    if (a >= b) continue;
    const padded = scoreRange(q, k, kRow, dh, S, scale, consec, p0, pos, qpos, lowW, sinks, w, a, b, 0, 0);
    if (part == parts - 1) put(state, r == 0 ? W0 : W1, padded);
  }
  store<f32>(state + (<usize>(MAXES + part) << 2), rowMaxScore());
}

/**
 * After every part's scores: the row's max, exps and their sum into w and state. Returns 0, 1 when the
 * row sees no key, -1 when a score is NaN (attention's results for a row).
 */
export function attention1_weights(w: usize, state: usize, parts: i32): i32 {
  let top: f32 = -Infinity;
  for (let p = 0; p < parts; p++) top = max(top, load<f32>(state + (<usize>(MAXES + p) << 2))); // NaN wins
  if (top == -Infinity) return 1;
  if (isNaN(top)) return -1;
  const S = get(state, KEYS), s0 = get(state, S0), s1 = get(state, S1), w0 = get(state, W0), w1 = get(state, W1);
  const sum4 = exps(w, s1, w1, top, exps(w, s0, w0, top, f32x4.splat(0)));
  store<f32>(state + (<usize>INV << 2), 1 / hsum(sum4));
  const ra = firstNonzero(w, s0, min(w0, S)), rc = firstNonzero(w, s1, min(w1, S));
  put(state, RA, ra); put(state, RB, lastNonzero(w, ra, min(w0, S)));
  put(state, RC, rc); put(state, RD, lastNonzero(w, rc, min(w1, S)));
  return 0;
}

/** Columns [c0, c1) of the output row out [dh] = Σ w[j]·v_j / Σ w (v [S, dh], rows vs floats apart). */
export function attention1_values(out: usize, v: usize, vs: i32, w: usize, state: usize, c0: i32, c1: i32): void {
  const vRow = (<usize>vs) << 2, n = c1 - c0, o = out + (<usize>c0 << 2), vc = v + (<usize>c0 << 2);
  zeroRow(o, n);
  accumulateValues(o, vc, vRow, n, w, get(state, RA), get(state, RB));
  accumulateValues(o, vc, vRow, n, w, get(state, RC), get(state, RD));
  scaleRow(o, n, load<f32>(state + (<usize>INV << 2)));
}
