// Shared SIMD helpers for the kernels. Every reduction here has one fixed order, so a value computed
// for one row or key is bit-identical whichever kernel path (blocked or tail) computed it.

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
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + (<usize>p << 2)), v128.load(b + (<usize>p << 2))));
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
