// Symmetric int8 quantization of float32 rows (absmax), to the bit as the int8 cache's JavaScript does it
// (packages/model's kv-cache/quantize.ts): scale = f32(max|x| / 127) with the max and the division in
// double, q = clamp(round(x / scale), -127, 127) with the division in double and JavaScript's Math.round
// (ties toward +infinity, where wasm's `nearest` ties to even). A zero scale gives zeros; a NaN in the
// input gives a NaN scale and zeros (JavaScript's Int8Array stores NaN as 0).
import { hmax } from "./simd";

/** Math.round(v) clamped to [-127, 127], stored as an Int8Array stores it (NaN: 0). */
@inline function toInt8(v: f64): i32 {
  let r = floor<f64>(v);
  if (v - r >= 0.5) r += 1; // v - floor(v) is exact for every double, so the tie test is too
  r = max<f64>(-127, min<f64>(127, r)); // NaN stays NaN
  return isNaN(r) ? 0 : <i32>r;
}

/** Math.round of two doubles: floor, plus 1 where the fraction is >= 0.5 (±infinity and NaN stay). */
@inline function roundHalfUp2(v: v128): v128 {
  const r = f64x2.floor(v);
  return f64x2.add(r, v128.and(f64x2.ge(f64x2.sub(v, r), f64x2.splat(0.5)), f64x2.splat(1)));
}

/**
 * toInt8 of four ratios x / s, x four floats, the division in double by sLo (lanes 0, 1) and sHi (2, 3):
 * the four int8 in the low 32 bits, 0 in the lanes `zero` marks (all ones). The saturating truncation
 * gives 0 for NaN and keeps ±infinity beyond ±127, so clamping the integers equals clamping the doubles.
 */
@inline function round4(x: v128, sLo: v128, sHi: v128, zero: v128): v128 {
  const lo = i32x4.trunc_sat_f64x2_s_zero(roundHalfUp2(f64x2.div(f64x2.promote_low_f32x4(x), sLo)));
  const hi = i32x4.trunc_sat_f64x2_s_zero(roundHalfUp2(f64x2.div(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3)), sHi)));
  const r = v128.andnot(i32x4.max_s(i32x4.splat(-127), i32x4.min_s(i32x4.splat(127), v128.shuffle<i32>(lo, hi, 0, 1, 4, 5))), zero);
  const h = i16x8.narrow_i32x4_s(r, r);
  return i8x16.narrow_i16x8_s(h, h);
}

/** The d floats at x as d int8 at q; returns the scale. Four at a time, then one by one. */
export function quantizeRow(x: usize, d: i32, q: usize): f32 {
  const d4 = d & ~3;
  let m4 = f32x4.splat(0);
  for (let j = 0; j < d4; j += 4) m4 = f32x4.max(m4, f32x4.abs(v128.load(x + (<usize>j << 2))));
  let m = hmax(m4); // the largest |x| (a max of floats is one of them: exact), NaN if any is
  for (let j = d4; j < d; j++) m = max<f32>(m, abs<f32>(load<f32>(x + (<usize>j << 2))));
  const scale = <f32>(<f64>m / 127.0);
  if (scale == 0) {
    memory.fill(q, 0, d);
    return 0;
  }
  const s = f64x2.splat(<f64>scale), none = i32x4.splat(0);
  for (let j = 0; j < d4; j += 4) v128.store32_lane(q + <usize>j, round4(v128.load(x + (<usize>j << 2)), s, s, none), 0);
  for (let j = d4; j < d; j++) store<i8>(q + <usize>j, toInt8(<f64>load<f32>(x + (<usize>j << 2)) / <f64>scale));
  return scale;
}

/**
 * Per-channel quantization of G float rows at x (xRow bytes apart) into G int8 rows at q (d bytes apart):
 * column c's scale, max over the G rows of |x[·, c]| / 127, goes to scales[c] (f32). Four columns at a
 * time, then one by one.
 */
export function quantizeColumns(x: usize, xRow: usize, G: i32, d: i32, q: usize, scales: usize): void {
  const d4 = d & ~3, by127 = f64x2.splat(127);
  for (let c = 0; c < d4; c += 4) {
    const col = x + (<usize>c << 2);
    let m4 = f32x4.splat(0);
    for (let r = 0; r < G; r++) m4 = f32x4.max(m4, f32x4.abs(v128.load(col + <usize>r * xRow)));
    const lo = f32x4.demote_f64x2_zero(f64x2.div(f64x2.promote_low_f32x4(m4), by127));
    const hi = f32x4.demote_f64x2_zero(f64x2.div(f64x2.promote_low_f32x4(v128.shuffle<f32>(m4, m4, 2, 3, 2, 3)), by127));
    const sc = v128.shuffle<f32>(lo, hi, 0, 1, 4, 5); // the four columns' scales
    v128.store(scales + (<usize>c << 2), sc);
    const sLo = f64x2.promote_low_f32x4(sc), sHi = f64x2.promote_low_f32x4(v128.shuffle<f32>(sc, sc, 2, 3, 2, 3));
    const zero = f32x4.eq(sc, f32x4.splat(0)); // a zero scale gives zeros
    for (let r = 0; r < G; r++) v128.store32_lane(q + <usize>r * <usize>d + <usize>c, round4(v128.load(col + <usize>r * xRow), sLo, sHi, zero), 0);
  }
  for (let c = d4; c < d; c++) {
    const col = x + (<usize>c << 2);
    let m: f64 = 0;
    for (let r = 0; r < G; r++) m = max<f64>(m, abs<f64>(<f64>load<f32>(col + <usize>r * xRow)));
    const scale = <f32>(m / 127.0), s = <f64>scale;
    store<f32>(scales + (<usize>c << 2), scale);
    for (let r = 0; r < G; r++) {
      store<i8>(q + <usize>r * <usize>d + <usize>c, scale == 0 ? 0 : toInt8(<f64>load<f32>(col + <usize>r * xRow) / s));
    }
  }
}

/**
 * The d floats at src into an int8 cache at position p, as the cache's append does. G = 0 (values, and
 * keys with per-token scales): int8 row p at q + p·d, its scale at scales[p]. G > 0 (keys with per-channel
 * scales over groups of G positions): src goes to float row p % G of the residual (rRow bytes apart), and
 * the position that fills a group quantizes its G rows into int8 rows p - G + 1 .. p and their d scales
 * into the group's row of scales.
 */
export function quantizeAt(src: usize, d: i32, q: usize, scales: usize, G: i32, residual: usize, rRow: usize, p: i32): void {
  if (G == 0) {
    store<f32>(scales + (<usize>p << 2), quantizeRow(src, d, q + <usize>p * <usize>d));
    return;
  }
  const r = p % G, first = p - r;
  memory.copy(residual + <usize>r * rRow, src, <usize>d << 2);
  if (r == G - 1) quantizeColumns(residual, rRow, G, d, q + <usize>first * <usize>d, scales + ((<usize>(first / G) * <usize>d) << 2));
}
