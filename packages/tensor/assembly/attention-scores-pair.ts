// Scores of two query rows over the same keys at once, for the blocks of keys that both rows see whole
// (attention.ts picks them; scoreRange then only folds them into each row's max). Each key vector
// loaded serves both rows. Every (row, key) score is the same sequence of operations as dot4's in
// attention-scores.ts: 4-lane partial sums in pair steps acc += (q0·k0 + q1·k1), an odd last chunk
// acc += q·k, then hsum4's (l0+l1)+(l2+l3), then · scale. So a row's scores have the same bits whether
// it was scored alone or paired. Two keys × two rows at a time: 4 accumulators, 4 query vectors and 2 key
// vectors fit V8's 15 xmm registers (four keys × two rows spilled, and ran no faster than one row).
import { hsum2, madd, madd2 } from "./simd";

// Row b's half sums of the last two keys (hsum2 level), handed from dot2x2 to its caller.
let halfB: v128 = f32x4.splat(0);

/**
 * The 4-lane partial sums of two keys k0, k1 for two query rows qa, qb over d4 floats, reduced one hsum2
 * level: returns row a's [k0 halves, k1 halves] and leaves row b's in halfB.
 */
@inline function dot2x2(qa: usize, qb: usize, k0: usize, k1: usize, d4: i32): v128 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d4; p += 8) {
    const o = <usize>p << 2;
    const x = v128.load(qa + o), y = v128.load(qa + o, 16), u = v128.load(qb + o), w = v128.load(qb + o, 16);
    let ka = v128.load(k0 + o), kb = v128.load(k0 + o, 16);
    a0 = madd2(a0, x, ka, y, kb);
    b0 = madd2(b0, u, ka, w, kb);
    ka = v128.load(k1 + o); kb = v128.load(k1 + o, 16);
    a1 = madd2(a1, x, ka, y, kb);
    b1 = madd2(b1, u, ka, w, kb);
  }
  if (p < d4) {
    const o = <usize>p << 2;
    const x = v128.load(qa + o), u = v128.load(qb + o), ka = v128.load(k0 + o), kb = v128.load(k1 + o);
    a0 = madd(a0, x, ka); b0 = madd(b0, u, ka);
    a1 = madd(a1, x, kb); b1 = madd(b1, u, kb);
  }
  halfB = hsum2(b0, b1);
  return hsum2(a0, a1);
}

/**
 * wa [from, to) := (qa · k_j) · scale and wb [from, to) := (qb · k_j) · scale, k [S, dh] with rows kRow
 * bytes apart; from and to multiples of 4, dh a multiple of 4 (dot4 then has no scalar tail).
 */
export function scoresPair(
  qa: usize, qb: usize, k: usize, kRow: usize, dh: i32, scale: f32, wa: usize, wb: usize, from: i32, to: i32,
): void {
  const sc = f32x4.splat(scale);
  for (let j = from; j < to; j += 4) {
    const k0 = k + <usize>j * kRow, k2 = k0 + (kRow << 1);
    const a01 = dot2x2(qa, qb, k0, k0 + kRow, dh);
    const b01 = halfB;
    const a23 = dot2x2(qa, qb, k2, k2 + kRow, dh);
    v128.store(wa + (<usize>j << 2), f32x4.mul(hsum2(a01, a23), sc)); // = hsum4 of the four keys' sums
    v128.store(wb + (<usize>j << 2), f32x4.mul(hsum2(b01, halfB), sc));
  }
}
