// Layer normalisation over the last axis, PyTorch semantics (biased variance, eps inside the sqrt).
import { assert2d, assertShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";

/**
 * x [T, d], weight [d], bias [d] -> [T, d]: (x - mean) / sqrt(var + eps) * weight + bias, per row.
 * const a = layerNorm(h, block.ln1.weight, block.ln1.bias, 1e-5) // [T, d]
 * A constant row normalises to exactly `bias`.
 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number, out: Tensor = zeros(x.shape)): Tensor {
  checkLayerNorm(x, weight, bias, out);
  const [T, d] = x.shape as [number, number];
  const X = x.data, O = out.data, W = weight.data, B = bias.data;
  const [xs0, xs1] = x.stride as [number, number];
  const [os0, os1] = out.stride as [number, number];
  const ws = weight.stride[0]!, bs = bias.stride[0]!;
  for (let i = 0; i < T; i++) {
    const xr = x.offset + i * xs0, or = out.offset + i * os0;
    let mean = 0;
    for (let j = 0; j < d; j++) mean += X[xr + j * xs1]!;
    mean /= d;
    let variance = 0;
    for (let j = 0; j < d; j++) {
      const c = X[xr + j * xs1]! - mean;
      variance += c * c;
    }
    const inv = 1 / Math.sqrt(variance / d + eps);
    for (let j = 0; j < d; j++) {
      const norm = (X[xr + j * xs1]! - mean) * inv;
      O[or + j * os1] = norm * W[weight.offset + j * ws]! + B[bias.offset + j * bs]!;
    }
  }
  return out;
}

/** The shape checks of `layerNorm` (ShapeError naming the operand), without running it. */
export function checkLayerNorm(x: Tensor, weight: Tensor, bias: Tensor, out: Tensor): void {
  assert2d("layerNorm", "x", x);
  const [T, d] = x.shape as [number, number];
  assertShape("layerNorm", "weight", weight, [d]);
  assertShape("layerNorm", "bias", bias, [d]);
  assertShape("layerNorm", "out", out, [T, d]);
}
