// The score pass over int8 keys: s_j = (q · k̂_j) · scale with k̂_j = f32(kq_j) · scale of k_j, for
//   per-token scales (G = 0): one float per key row, kSc + 4·j;
//   per-channel scales (G > 0, KIVI's keys): one float per column for each group of G keys, the row
//     kSc + (j / G)·kScRow (G a multiple of 4, so four keys that start at a multiple of 4 share it).
// Each key's dot product runs in dot4's order (attention-scores.ts): 4-lane partial sums two chunks at a
// time, acc += (q0·k̂0 + q1·k̂1), an odd last chunk acc += q·k̂, (l0+l1)+(l2+l3), then the scalar tail.
// So a key's score has the bits the float kernel gives it over the dequantized row.
import { visible4 } from "./attention-mask";
import { hi8, lo8, load1, load4 } from "./int8";
import { hmax, hsum4 } from "./simd";

/**
 * Unscaled scores of four int8 key rows k0, k0 + kRow, ... (kRow = 0: one key four times). Per-token: cu
 * are the rows' scales splatted; per-channel: sc is the group's scale row and the cu are unused.
 */
@inline function dot4q(
  q: usize, k0: usize, kRow: usize, d4: i32, dh: i32, c0: v128, c1: v128, c2: v128, c3: v128, sc: usize, perChannel: bool,
): v128 {
  const k1 = k0 + kRow, k2 = k1 + kRow, k3 = k2 + kRow;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d4; p += 8) {
    const o = <usize>p << 2, b = <usize>p;
    const x = v128.load(q + o), y = v128.load(q + o, 16);
    if (perChannel) {
      const sl = v128.load(sc + o), sh = v128.load(sc + o, 16);
      let w = v128.load8x8_s(k0 + b);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), sl)), f32x4.mul(y, f32x4.mul(hi8(w), sh))));
      w = v128.load8x8_s(k1 + b);
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), sl)), f32x4.mul(y, f32x4.mul(hi8(w), sh))));
      w = v128.load8x8_s(k2 + b);
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), sl)), f32x4.mul(y, f32x4.mul(hi8(w), sh))));
      w = v128.load8x8_s(k3 + b);
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), sl)), f32x4.mul(y, f32x4.mul(hi8(w), sh))));
    } else {
      let w = v128.load8x8_s(k0 + b);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), c0)), f32x4.mul(y, f32x4.mul(hi8(w), c0))));
      w = v128.load8x8_s(k1 + b);
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), c1)), f32x4.mul(y, f32x4.mul(hi8(w), c1))));
      w = v128.load8x8_s(k2 + b);
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), c2)), f32x4.mul(y, f32x4.mul(hi8(w), c2))));
      w = v128.load8x8_s(k3 + b);
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(x, f32x4.mul(lo8(w), c3)), f32x4.mul(y, f32x4.mul(hi8(w), c3))));
    }
  }
  if (p < d4) {
    const o = <usize>p << 2, b = <usize>p;
    const x = v128.load(q + o);
    if (perChannel) {
      const s = v128.load(sc + o);
      a0 = f32x4.add(a0, f32x4.mul(x, f32x4.mul(load4(k0 + b), s))); a1 = f32x4.add(a1, f32x4.mul(x, f32x4.mul(load4(k1 + b), s)));
      a2 = f32x4.add(a2, f32x4.mul(x, f32x4.mul(load4(k2 + b), s))); a3 = f32x4.add(a3, f32x4.mul(x, f32x4.mul(load4(k3 + b), s)));
    } else {
      a0 = f32x4.add(a0, f32x4.mul(x, f32x4.mul(load4(k0 + b), c0))); a1 = f32x4.add(a1, f32x4.mul(x, f32x4.mul(load4(k1 + b), c1)));
      a2 = f32x4.add(a2, f32x4.mul(x, f32x4.mul(load4(k2 + b), c2))); a3 = f32x4.add(a3, f32x4.mul(x, f32x4.mul(load4(k3 + b), c3)));
    }
  }
  let s = hsum4(a0, a1, a2, a3);
  for (p = d4; p < dh; p++) { // dotTail4's order: lane u += q[p] · k̂_u[p]
    const b = <usize>p;
    let k = f32x4.splat(load1(k0 + b));
    k = f32x4.replace_lane(k, 1, load1(k1 + b));
    k = f32x4.replace_lane(k, 2, load1(k2 + b));
    k = f32x4.replace_lane(k, 3, load1(k3 + b));
    let sp = c0; // the four keys' scales for column p
    if (perChannel) sp = f32x4.splat(load<f32>(sc + (<usize>p << 2)));
    else {
      sp = f32x4.replace_lane(sp, 1, f32x4.extract_lane(c1, 0));
      sp = f32x4.replace_lane(sp, 2, f32x4.extract_lane(c2, 0));
      sp = f32x4.replace_lane(sp, 3, f32x4.extract_lane(c3, 0));
    }
    s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(q + (<usize>p << 2))), f32x4.mul(k, sp)));
  }
  return s;
}

/** Per-token scale of key j, splatted. */
@inline function tokenScale(kSc: usize, j: i32): v128 {
  return v128.load32_splat(kSc + (<usize>j << 2));
}

// The max of the scores written since resetMaxI8 (NaN once one is NaN).
let maxI8: f32 = -Infinity;

export function resetMaxI8(): void {
  maxI8 = -Infinity;
}

export function maxScoreI8(): f32 {
  return maxI8;
}

/**
 * Scores of the int8 keys [s, e) (s a multiple of 4) of the query qr at position qpos into w, -inf for
 * hidden keys; key j is at p0 + j, row kq + j·kRow. Writes w [s, e rounded up to 4) and folds the
 * visible scores into the max.
 */
export function scoreRangeI8(
  qr: usize, kq: usize, kRow: usize, kSc: usize, G: i32, kScRow: usize, dh: i32, scale: f32,
  p0: i32, qpos: i32, lowWin: i32, sinkEnd: i32, w: usize, s: i32, e: i32,
): void {
  const NEG_INF = f32x4.splat(-Infinity);
  const d4 = dh & ~3;
  const qp = i32x4.splat(qpos), lowW = i32x4.splat(lowWin), sinks = i32x4.splat(sinkEnd), sc = f32x4.splat(scale);
  const iota = i32x4(0, 1, 2, 3);
  const perChannel = G > 0;
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
    const k0 = kq + <usize>j * kRow;
    const scRow = perChannel ? kSc + <usize>(j / G) * kScRow : 0;
    let t: v128;
    if (n >= 4) {
      t = perChannel
        ? dot4q(qr, k0, kRow, d4, dh, sc, sc, sc, sc, scRow, true)
        : dot4q(qr, k0, kRow, d4, dh, tokenScale(kSc, j), tokenScale(kSc, j + 1), tokenScale(kSc, j + 2), tokenScale(kSc, j + 3), 0, false);
    } else { // the last one to three keys, one at a time (each lane 0 of a key dotted four times)
      v128.store(dst, NEG_INF);
      for (let u = 0; u < n; u++) {
        const ku = k0 + <usize>u * kRow;
        const c = perChannel ? sc : tokenScale(kSc, j + u);
        const x = dot4q(qr, ku, 0, d4, dh, c, c, c, c, perChannel ? kSc + <usize>((j + u) / G) * kScRow : 0, perChannel);
        store<f32>(dst + (<usize>u << 2), f32x4.extract_lane(x, 0));
      }
      t = v128.load(dst);
    }
    t = v128.bitselect(f32x4.mul(t, sc), NEG_INF, m); // hidden keys: -inf, whatever their dot
    v128.store(dst, t);
    mx = f32x4.pmax(mx, t);
    nan = v128.or(nan, f32x4.ne(t, t));
  }
  maxI8 = v128.any_true(nan) ? <f32>NaN : hmax(mx);
}
