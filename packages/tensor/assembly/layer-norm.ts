// Layer normalisation over rows, in float32: (x - mean) / sqrt(var + eps) * w + b (biased variance).
import { hsum } from "./simd";

/** x [T, d] (row stride xs), w [d], b [d] -> out [T, d] (row stride os); strides in elements. */
export function layer_norm(x: usize, xs: i32, w: usize, b: usize, out: usize, os: i32, T: i32, d: i32, eps: f32): void {
  const d4 = d & ~3;
  const invD: f32 = 1 / <f32>d;
  for (let i = 0; i < T; i++) {
    const xr = x + ((<usize>i * <usize>xs) << 2);
    const or = out + ((<usize>i * <usize>os) << 2);
    // mean = x0 + mean(x - x0): a constant row centres to exactly 0, so it normalises to exactly b
    const x0 = load<f32>(xr);
    const s4 = f32x4.splat(x0);
    let acc = f32x4.splat(0);
    for (let j = 0; j < d4; j += 4) acc = f32x4.add(acc, f32x4.sub(v128.load(xr + (<usize>j << 2)), s4));
    let sum = hsum(acc);
    for (let j = d4; j < d; j++) sum += load<f32>(xr + (<usize>j << 2)) - x0;
    const mean = x0 + sum * invD;
    const m4 = f32x4.splat(mean);
    acc = f32x4.splat(0);
    for (let j = 0; j < d4; j += 4) {
      const c = f32x4.sub(v128.load(xr + (<usize>j << 2)), m4);
      acc = f32x4.add(acc, f32x4.mul(c, c));
    }
    let sq = hsum(acc);
    for (let j = d4; j < d; j++) {
      const c = load<f32>(xr + (<usize>j << 2)) - mean;
      sq += c * c;
    }
    const inv: f32 = 1 / Mathf.sqrt(sq * invD + eps);
    const inv4 = f32x4.splat(inv);
    for (let j = 0; j < d4; j += 4) {
      const o = <usize>j << 2;
      const n = f32x4.mul(f32x4.sub(v128.load(xr + o), m4), inv4);
      v128.store(or + o, f32x4.add(f32x4.mul(n, v128.load(w + o)), v128.load(b + o)));
    }
    for (let j = d4; j < d; j++) {
      const o = <usize>j << 2;
      store<f32>(or + o, (load<f32>(xr + o) - mean) * inv * load<f32>(w + o) + load<f32>(b + o));
    }
  }
}
