// The score pass over int8 keys, the keys' scales taken out of the dot product:
//   per-token scales (G = 0): s_j = ((q · f32(kq_j)) · ks_j) · scale, ks_j = kSc[j];
//   per-channel scales (G > 0, KIVI's keys): one float per column for each group of G keys, the row
//     kSc + (j / G)·kScRow, folded into the query once per group: s_j = (q' · f32(kq_j)) · scale with
//     q'[p] = q[p] · ks[p] (qg, dh floats of scratch).
// The dot products run in dot4's order (attention-scores.ts): 4-lane partial sums two chunks at a time,
// (l0+l1)+(l2+l3), then the scalar tail. Converting an int8 to float is exact, so a score differs from the
// float kernel's over the dequantized key, f32(kq)·ks, only by where the scale's rounding happens.
import { visible4 } from "./attention-mask";
import { hi8, lo8, load1, load4 } from "./int8";
import { hmax, hsum4, madd, madd2 } from "./simd";

/**
 * [q · f32(kq_u)] for the four int8 key rows k0, k0 + kRow, ... (kRow = 0: one key four times), in dot4's
 * order (attention-scores.ts), without the keys' scales.
 */
@inline function dot4q(q: usize, k0: usize, kRow: usize, d4: i32, dh: i32): v128 {
  const k1 = k0 + kRow, k2 = k1 + kRow, k3 = k2 + kRow;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d4; p += 8) {
    const o = <usize>p << 2, b = <usize>p;
    const x = v128.load(q + o), y = v128.load(q + o, 16);
    let w = v128.load8x8_s(k0 + b);
    a0 = madd2(a0, x, lo8(w), y, hi8(w));
    w = v128.load8x8_s(k1 + b);
    a1 = madd2(a1, x, lo8(w), y, hi8(w));
    w = v128.load8x8_s(k2 + b);
    a2 = madd2(a2, x, lo8(w), y, hi8(w));
    w = v128.load8x8_s(k3 + b);
    a3 = madd2(a3, x, lo8(w), y, hi8(w));
  }
  if (p < d4) {
    const o = <usize>p << 2, b = <usize>p;
    const x = v128.load(q + o);
    a0 = madd(a0, x, load4(k0 + b)); a1 = madd(a1, x, load4(k1 + b));
    a2 = madd(a2, x, load4(k2 + b)); a3 = madd(a3, x, load4(k3 + b));
  }
  let s = hsum4(a0, a1, a2, a3);
  for (p = d4; p < dh; p++) { // dotTail4's order: lane u += q[p] · kq_u[p]
    const b = <usize>p;
    let k = f32x4.splat(load1(k0 + b));
    k = f32x4.replace_lane(k, 1, load1(k1 + b));
    k = f32x4.replace_lane(k, 2, load1(k2 + b));
    k = f32x4.replace_lane(k, 3, load1(k3 + b));
    s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(q + (<usize>p << 2))), k));
  }
  return s;
}

// The max of the scores written since resetMaxI8 (NaN once one is NaN).
let maxI8: f32 = -Infinity;

export function resetMaxI8(): void {
  maxI8 = -Infinity;
}

export function maxScoreI8(): f32 {
  return maxI8;
}

/** qg [dh] := q [dh] · the scale row sc [dh], elementwise. */
function scaleQuery(qg: usize, q: usize, sc: usize, dh: i32): void {
  let p = 0;
  for (; p + 4 <= dh; p += 4) {
    const o = <usize>p << 2;
    v128.store(qg + o, f32x4.mul(v128.load(q + o), v128.load(sc + o)));
  }
  for (; p < dh; p++) store<f32>(qg + (<usize>p << 2), load<f32>(q + (<usize>p << 2)) * load<f32>(sc + (<usize>p << 2)));
}

/**
 * Scores of the int8 keys [s, e) (s a multiple of 4) of the query qr at position qpos into w, -inf for
 * hidden keys; key j is at p0 + j, row kq + j·kRow. Writes w [s, e rounded up to 4) and folds the
 * visible scores into the max. qg: dh floats of scratch (per-channel scales).
 */
export function scoreRangeI8(
  qr: usize, kq: usize, kRow: usize, kSc: usize, G: i32, kScRow: usize, dh: i32, scale: f32,
  p0: i32, qpos: i32, lowWin: i32, sinkEnd: i32, w: usize, s: i32, e: i32, qg: usize,
): void {
  const NEG_INF = f32x4.splat(-Infinity);
  const d4 = dh & ~3;
  const qp = i32x4.splat(qpos), lowW = i32x4.splat(lowWin), sinks = i32x4.splat(sinkEnd), sc = f32x4.splat(scale);
  const iota = i32x4(0, 1, 2, 3);
  const perChannel = G > 0;
  const q = perChannel ? qg : qr;
  let group = -1; // the group whose scales qg holds
  let mx = f32x4.splat(maxI8);
  let nan = f32x4.splat(0);
  for (let j = s; j < e; j += 4) {
    const dst = w + (<usize>j << 2);
    let m = visible4(i32x4.add(i32x4.splat(p0 + j), iota), qp, lowW, sinks);
    const n = e - j;
    if (n < 4) m = v128.and(m, i32x4.lt_s(iota, i32x4.splat(n))); // rows past e are not read
    if (!v128.any_true(m)) {
      v128.store(dst, NEG_INF);
      continue;
    }
    if (perChannel && j / G != group) { // G is a multiple of 4: the four keys share a group
      group = j / G;
      scaleQuery(qg, qr, kSc + <usize>group * kScRow, dh);
    }
    const k0 = kq + <usize>j * kRow;
    let t: v128;
    if (n >= 4) t = dot4q(q, k0, kRow, d4, dh);
    else { // the last one to three keys, one at a time (lane 0 of a key dotted four times)
      v128.store(dst, f32x4.splat(0));
      for (let u = 0; u < n; u++) store<f32>(dst + (<usize>u << 2), f32x4.extract_lane(dot4q(q, k0 + <usize>u * kRow, 0, d4, dh), 0));
      t = v128.load(dst);
    }
    if (!perChannel) t = f32x4.mul(t, n >= 4 ? v128.load(kSc + (<usize>j << 2)) : tailScales(kSc, j, n));
    t = v128.bitselect(f32x4.mul(t, sc), NEG_INF, m); // hidden keys: -inf, whatever their dot
    v128.store(dst, t);
    mx = f32x4.pmax(mx, t);
    nan = v128.or(nan, f32x4.ne(t, t));
  }
  maxI8 = v128.any_true(nan) ? <f32>NaN : hmax(mx);
}

/** The per-token scales of keys j .. j + n - 1 (n < 4) in lanes 0 .. n - 1, 0 after (no read past them). */
@inline function tailScales(kSc: usize, j: i32, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(kSc + (<usize>j << 2)));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(kSc + (<usize>(j + 1) << 2)));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(kSc + (<usize>(j + 2) << 2)));
  return v;
}
