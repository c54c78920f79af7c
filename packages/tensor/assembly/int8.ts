// Reading int8 rows as float32: x̂ = f32(q) · s, one rounding (q has 8 bits, so f32(q) is exact). The
// attention-int8 kernels dequantize with these right before the multiply-add that uses the value, so
// each product sees the float32 a dequantize-then-attend would have stored, and nothing is stored.

/** Lanes 0..3 of the eight sign-extended int8 in w (v128.load8x8_s) as f32x4. */
@inline export function lo8(w: v128): v128 {
  return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(w));
}

/** Lanes 4..7 of the eight sign-extended int8 in w (v128.load8x8_s) as f32x4. */
@inline export function hi8(w: v128): v128 {
  return f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(w));
}

/** The four int8 at p as f32x4 (unscaled). */
@inline export function load4(p: usize): v128 {
  return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(p))));
}

/** The int8 at p as f32 (unscaled). */
@inline export function load1(p: usize): f32 {
  return <f32>load<i8>(p);
}
