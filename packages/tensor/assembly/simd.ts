// Shared SIMD helpers for the kernels. Every reduction here has one fixed order, so a value computed
// for one row or key is bit-identical whichever kernel path (blocked or tail) computed it.
// The module is built twice (scripts/build-wasm.mjs): with plain SIMD, where a multiply-add is a
// multiply then an add (two roundings), and with relaxed SIMD, where `madd` is f32x4.relaxed_madd (one
// fused multiply-add where the CPU has it, one rounding). Every vector accumulation goes through madd, and
// every scalar tail stays a multiply then an add in both builds, so each build is exact within itself.

/** acc + a·b, four lanes: fused in the relaxed-SIMD build, a multiply then an add in the plain one. */
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * Two chunks into one accumulator: acc + (a·b + c·d) in the plain build, madd(madd(acc, a, b), c, d) in
 * the relaxed one (both orders are the same for every caller within a build).
 */
@inline export function madd2(acc: v128, a: v128, b: v128, c: v128, d: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(c, d, f32x4.relaxed_madd(a, b, acc));
  return f32x4.add(acc, f32x4.add(f32x4.mul(a, b), f32x4.mul(c, d)));
}

/** (l0 + l1) + (l2 + l3): the horizontal sum every kernel uses. */
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** max over the four lanes. */
@inline export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/**
 * Σ a[p]·b[p] for p < n: four-lane partial sums over whole chunks, hsum, then the scalar tail in order.
 * The reference order every dot-product kernel reproduces.
 */
@inline export function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  const n4 = n & ~3;
  for (let p = 0; p < n4; p += 4) {
    acc = madd(acc, v128.load(a + (<usize>p << 2)), v128.load(b + (<usize>p << 2)));
  }
  let s = hsum(acc);
  for (let p = n4; p < n; p++) s += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  return s;
}

/** The scalar tail of `dot` from n4 (a multiple of 4) to n, added to `s`. */
@inline export function dotTail(s: f32, a: usize, b: usize, n4: i32, n: i32): f32 {
  for (let p = n4; p < n; p++) s += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  return s;
}

/** [a0.0 + a0.1, a0.2 + a0.3, a1.0 + a1.1, a1.2 + a1.3]: one level of hsum4. */
@inline export function hsum2(a0: v128, a1: v128): v128 {
  return f32x4.add(f32x4.shuffle(a0, a1, 0, 2, 4, 6), f32x4.shuffle(a0, a1, 1, 3, 5, 7));
}

/**
 * [hsum(a0), hsum(a1), hsum(a2), hsum(a3)] in one vector, each lane in hsum's order (l0+l1)+(l2+l3):
 * four horizontal sums for six shuffles and three adds (hsum2 of two hsum2s).
 */
@inline export function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  return hsum2(hsum2(a0, a1), hsum2(a2, a3));
}

/** lane u of s plus the scalar tail of `dot`(a, b_u) from n4 to n, in dotTail's order, for four rows b_u. */
@inline export function dotTail4(s: v128, a: usize, b0: usize, b1: usize, b2: usize, b3: usize, n4: i32, n: i32): v128 {
  for (let p = n4; p < n; p++) {
    const o = <usize>p << 2;
    let b = f32x4.splat(load<f32>(b0 + o));
    b = f32x4.replace_lane(b, 1, load<f32>(b1 + o));
    b = f32x4.replace_lane(b, 2, load<f32>(b2 + o));
    b = f32x4.replace_lane(b, 3, load<f32>(b3 + o));
    s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(a + o)), b));
  }
  return s;
}
