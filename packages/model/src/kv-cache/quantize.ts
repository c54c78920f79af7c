// Symmetric per-row int8 quantization (absmax): scale = max|x| / 127, q = round(x / scale) in [-127, 127],
// x̂ = q · scale. |x - x̂| <= scale / 2 per element (rounding to the nearest step), plus float32 rounding
// of x̂. A row of zeros gets scale 0 and comes back as zeros. The int8-cache tests hold these bounds.
// The int8 decode step quantizes in wasm with a twin of quantizeRow and quantizeColumns (@tinylm/tensor's
// assembly/quantize.ts), held to their bits by quantize-wasm.test.ts.
import type { Tensor } from "@tinylm/tensor";

/** Quantizes row `row` of x [T, d] into q[at .. at+d) and returns its scale (stored as float32). */
export function quantizeRow(x: Tensor, row: number, q: Int8Array, at: number): number {
  const d = x.shape[1]!, X = x.data, s1 = x.stride[1]!;
  const base = x.offset + row * x.stride[0]!;
  let max = 0;
  for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(X[base + j * s1]!));
  const scale = Math.fround(max / 127);
  if (scale === 0) {
    q.fill(0, at, at + d);
    return 0;
  }
  for (let j = 0; j < d; j++) q[at + j] = Math.max(-127, Math.min(127, Math.round(X[base + j * s1]! / scale)));
  return scale;
}

/** out[r·d + j] = q[r·d + j] · scales[r] for rows 0..rows-1 (out is row-major [rows, d]). */
export function dequantizeRows(q: Int8Array, scales: Float32Array, rows: number, d: number, out: Float32Array): void {
  // the hot loop of every int8 read (S·d per layer and step); unrolled by 4, which V8 runs ~1.7x faster
  let i = 0;
  for (let r = 0; r < rows; r++) {
    const s = scales[r]!, end = i + d, end4 = end - 3;
    for (; i < end4; i += 4) {
      out[i] = q[i]! * s;
      out[i + 1] = q[i + 1]! * s;
      out[i + 2] = q[i + 2]! * s;
      out[i + 3] = q[i + 3]! * s;
    }
    for (; i < end; i++) out[i] = q[i]! * s;
  }
}

/**
 * Per-channel quantization of G rows (KIVI's keys): rows [0, G) of x [R, d] (row-major) into q[at ..
 * at + G·d), one scale per column c, max over the G rows of |x[·, c]| / 127, written to scales[sAt + c].
 */
export function quantizeColumns(x: Float32Array, G: number, d: number, q: Int8Array, at: number, scales: Float32Array, sAt: number): void {
  for (let c = 0; c < d; c++) {
    let max = 0;
    for (let r = 0; r < G; r++) max = Math.max(max, Math.abs(x[r * d + c]!));
    const scale = Math.fround(max / 127);
    scales[sAt + c] = scale;
    for (let r = 0; r < G; r++) q[at + r * d + c] = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(x[r * d + c]! / scale)));
  }
}
