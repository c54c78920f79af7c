// The score pass of the fused attention: s_j = (q · k_j) · scale for the keys of one index range, -inf for
// the hidden ones, eight keys at a time, then four, then one at a time. Each key's dot product has one fixed
// order (below), whether a block of eight or four or the one-key tail computed it, so a key's score has the
// same bits in every call.
import { visible, visible4 } from "./attention-mask";
import { dotTail, dotTail4, hmax, hsum, hsum4, madd, madd2 } from "./simd";

// A key's dot product q · k over dh: 4-lane partial sums, two chunks at a time, acc += (q0·k0 + q1·k1)
// (and acc += q·k for an odd last chunk), then hsum's (l0+l1)+(l2+l3), then the scalar tail from d4 in
// order. Pairing the chunks halves the adds on each accumulator's dependency chain and the address
// arithmetic per load; four keys at a time keep every accumulator and operand in registers.

/** The 4-lane partial sums of q · k over d4 (a multiple of 4) floats, in the pairwise order above. */
@inline function dotChunks(q: usize, k: usize, d4: i32): v128 {
  let acc = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d4; p += 8) {
    const o = <usize>p << 2;
    acc = madd2(acc, v128.load(q + o), v128.load(k + o), v128.load(q + o, 16), v128.load(k + o, 16));
  }
  if (p < d4) acc = madd(acc, v128.load(q + (<usize>p << 2)), v128.load(k + (<usize>p << 2)));
  return acc;
}

/** Scores (unscaled) of the four key rows k0, k0 + kRow, ... : [dot(q, k_u)] in the order above. */
@inline export function dot4(q: usize, k0: usize, kRow: usize, d4: i32, dh: i32): v128 {
  const k1 = k0 + kRow, k2 = k1 + kRow, k3 = k2 + kRow;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d4; p += 8) {
    const o = <usize>p << 2;
    const x = v128.load(q + o), y = v128.load(q + o, 16);
    a0 = madd2(a0, x, v128.load(k0 + o), y, v128.load(k0 + o, 16));
    a1 = madd2(a1, x, v128.load(k1 + o), y, v128.load(k1 + o, 16));
    a2 = madd2(a2, x, v128.load(k2 + o), y, v128.load(k2 + o, 16));
    a3 = madd2(a3, x, v128.load(k3 + o), y, v128.load(k3 + o, 16));
  }
  if (p < d4) {
    const o = <usize>p << 2;
    const x = v128.load(q + o);
    a0 = madd(a0, x, v128.load(k0 + o)); a1 = madd(a1, x, v128.load(k1 + o));
    a2 = madd(a2, x, v128.load(k2 + o)); a3 = madd(a3, x, v128.load(k3 + o));
  }
  const s = hsum4(a0, a1, a2, a3);
  return d4 < dh ? dotTail4(s, q, k0, k1, k2, k3, d4, dh) : s;
}

// The running max of the scores written since the row began (NaN once one is NaN).
let rowMax: f32 = -Infinity;

/** Starts a query row: no score seen yet. */
export function resetRowMax(): void {
  rowMax = -Infinity;
}

/** The max of the row's scores so far: -inf when every key was hidden, NaN when a score is NaN. */
export function rowMaxScore(): f32 {
  return rowMax;
}

/**
 * Scores of keys [start, end) (start 8-aligned) of the query row qr at position qpos into scores [S + 7];
 * folds them into rowMax. k [S, dh] has rows kRow bytes apart; key j is at p0 + j when consec, else pos[j].
 * The blocks of eight in [pre0, pre1) (8-aligned, all visible) hold their scores already (scoresPair):
 * they are only folded in, in the same order. Returns where the written scores stop: end rounded up to 8,
 * or to 4 when the last keys were done one at a time (padded with -inf either way).
 */
export function scoreRange(
  qr: usize, k: usize, kRow: usize, dh: i32, S: i32, scale: f32,
  consec: bool, p0: i32, pos: usize, qpos: i32, lowWin: i32, sinkEnd: i32, scores: usize, start: i32, end: i32,
  pre0: i32, pre1: i32,
): i32 {
  const NEG_INF = f32x4.splat(-Infinity);
  const d4 = dh & ~3;
  const qp = i32x4.splat(qpos), lowW = i32x4.splat(lowWin), sinks = i32x4.splat(sinkEnd), sc = f32x4.splat(scale);
  const iota = i32x4(0, 1, 2, 3);
  let mx = f32x4.splat(rowMax);
  let nan = f32x4.splat(0);
  let j = start;
  for (; j < end && j + 8 <= S; j += 8) {
    const dst = scores + (<usize>j << 2);
    const k0 = k + <usize>j * kRow, k4 = k0 + (kRow << 2);
    let t0: v128, t1: v128;
    if (j >= pre0 && j < pre1) { // already scored with the paired row (attention-scores-pair.ts): same bits
      t0 = v128.load(dst);
      t1 = v128.load(dst, 16);
    } else if (consec && p0 + j >= lowWin && p0 + j + 7 <= qpos) { // all eight inside the window: no mask
      t0 = f32x4.mul(dot4(qr, k0, kRow, d4, dh), sc);
      t1 = f32x4.mul(dot4(qr, k4, kRow, d4, dh), sc);
    } else {
      const kp0 = consec ? i32x4.add(i32x4.splat(p0 + j), iota) : v128.load(pos + (<usize>j << 2));
      const kp1 = consec ? i32x4.add(i32x4.splat(p0 + j + 4), iota) : v128.load(pos + (<usize>j << 2), 16);
      const m0 = visible4(kp0, qp, lowW, sinks);
      const m1 = visible4(kp1, qp, lowW, sinks);
      if (!v128.any_true(v128.or(m0, m1))) {
        v128.store(dst, NEG_INF);
        v128.store(dst, NEG_INF, 16);
        continue;
      }
      const s0 = v128.any_true(m0) ? dot4(qr, k0, kRow, d4, dh) : NEG_INF;
      const s1 = v128.any_true(m1) ? dot4(qr, k4, kRow, d4, dh) : NEG_INF;
      t0 = v128.bitselect(f32x4.mul(s0, sc), NEG_INF, m0); // hidden keys: -inf, whatever their dot
      t1 = v128.bitselect(f32x4.mul(s1, sc), NEG_INF, m1);
    }
    v128.store(dst, t0);
    v128.store(dst, t1, 16);
    mx = f32x4.pmax(mx, f32x4.pmax(t0, t1)); // one instruction each; NaN is tracked apart
    nan = v128.or(nan, v128.or(f32x4.ne(t0, t0), f32x4.ne(t1, t1)));
  }
  if (j + 4 <= end && j + 4 <= S) { // four of the last keys at once: dot4 gives each the bits it gets alone
    const dst = scores + (<usize>j << 2);
    const kp = consec ? i32x4.add(i32x4.splat(p0 + j), iota) : v128.load(pos + (<usize>j << 2));
    const m = visible4(kp, qp, lowW, sinks);
    const t = v128.any_true(m) ? v128.bitselect(f32x4.mul(dot4(qr, k + <usize>j * kRow, kRow, d4, dh), sc), NEG_INF, m) : NEG_INF;
    v128.store(dst, t);
    mx = f32x4.pmax(mx, t);
    nan = v128.or(nan, f32x4.ne(t, t));
    j += 4;
  }
  let top: f32 = v128.any_true(nan) ? <f32>NaN : hmax(mx);
  for (; j < end; j++) { // the last keys, one at a time
    const dst = scores + (<usize>j << 2);
    const kp = consec ? p0 + j : load<i32>(pos + (<usize>j << 2));
    if (!visible(kp, qpos, lowWin, sinkEnd)) {
      store<f32>(dst, -Infinity);
      continue;
    }
    const kj = k + <usize>j * kRow;
    const acc = dotChunks(qr, kj, d4);
    const s = dotTail(hsum(acc), qr, kj, d4, dh) * scale;
    store<f32>(dst, s);
    top = max(top, s);
  }
  rowMax = top;
  const padded = (j + 3) & ~3;
  for (; j < padded; j++) store<f32>(scores + (<usize>j << 2), -Infinity);
  return padded;
}
