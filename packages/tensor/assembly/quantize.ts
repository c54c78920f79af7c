// Symmetric int8 quantization of float32 rows (absmax), to the bit as the int8 cache's JavaScript does it
// (packages/model's kv-cache/quantize.ts): scale = f32(max|x| / 127) with the max and the division in
// double, q = clamp(round(x / scale), -127, 127) with the division in double and JavaScript's Math.round
// (ties toward +infinity, where wasm's `nearest` ties to even). A zero scale gives zeros; a NaN in the
// input gives a NaN scale and zeros (JavaScript's Int8Array stores NaN as 0).

/** Math.round(v) clamped to [-127, 127], stored as an Int8Array stores it (NaN: 0). */
@inline function toInt8(v: f64): i32 {
  let r = floor<f64>(v);
  if (v - r >= 0.5) r += 1; // v - floor(v) is exact for every double, so the tie test is too
  r = max<f64>(-127, min<f64>(127, r)); // NaN stays NaN
  return isNaN(r) ? 0 : <i32>r;
}

/** The d floats at x as d int8 at q; returns the scale. */
export function quantizeRow(x: usize, d: i32, q: usize): f32 {
  let m: f64 = 0;
  for (let j = 0; j < d; j++) m = max<f64>(m, abs<f64>(<f64>load<f32>(x + (<usize>j << 2)))); // NaN if any is
  const scale = <f32>(m / 127.0);
  if (scale == 0) {
    memory.fill(q, 0, d);
    return 0;
  }
  const s = <f64>scale;
  for (let j = 0; j < d; j++) store<i8>(q + <usize>j, toInt8(<f64>load<f32>(x + (<usize>j << 2)) / s));
  return scale;
}

/**
 * Per-channel quantization of G float rows at x (xRow bytes apart) into G int8 rows at q (d bytes apart):
 * column c's scale, max over the G rows of |x[·, c]| / 127, goes to scales[c] (f32).
 */
export function quantizeColumns(x: usize, xRow: usize, G: i32, d: i32, q: usize, scales: usize): void {
  for (let c = 0; c < d; c++) {
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
