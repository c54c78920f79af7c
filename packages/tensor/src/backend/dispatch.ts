// The public ops that have a wasm kernel: each validates its operands, runs the kernel when the wasm backend
// is active and can take them, and otherwise the plain TypeScript reference in ops/ (same bits either way).
import { zeros, type Tensor } from "../tensor.js";
import * as reference from "../ops/index.js";
import { activeWasm, loadedWasm } from "./backend.js";
import { wasmAttention } from "./attention.js";
import { wasmLayerNorm } from "./layer-norm.js";
import { ACCUMULATE, RELU, wasmLinear } from "./linear.js";
import { kernelAddress } from "./memory.js";

/**
 * x [T, in] x weight [out, in]ᵀ + bias [out] -> [T, out]. PyTorch's nn.Linear.
 * const q = linear(x, attn.q.weight, attn.q.bias) // [T, d]
 * linear(y, o.weight, o.bias, h, { accumulate: true }) // h += o(y), the residual in one pass
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor, out?: Tensor, fuse?: reference.LinearFusion): Tensor {
  if (activeWasm() === null) return reference.linear(x, weight, bias, out, fuse);
  reference.checkLinear(x, weight, bias, out, fuse);
  const c = out ?? zeros([x.shape[0]!, weight.shape[0]!]);
  const flags = (fuse?.relu ? RELU : 0) | (fuse?.accumulate ? ACCUMULATE : 0);
  return wasmLinear(x, weight, bias, c, flags) ? c : reference.linear(x, weight, bias, c, fuse);
}

/**
 * x [T, d], weight [d], bias [d] -> [T, d]: (x - mean) / sqrt(var + eps) * weight + bias, per row.
 * const a = layerNorm(h, block.ln1.weight, block.ln1.bias, 1e-5) // [T, d]
 * A constant row normalises to exactly `bias`.
 */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number, out: Tensor = zeros(x.shape)): Tensor {
  if (activeWasm() === null) return reference.layerNorm(x, weight, bias, eps, out);
  reference.checkLayerNorm(x, weight, bias, out);
  return wasmLayerNorm(x, weight, bias, eps, out) ? out : reference.layerNorm(x, weight, bias, eps, out);
}

/**
 * q [T, dh], k [S, dh], v [S, dh] -> [T, dh]: softmax(mask(q·kᵀ·scale))·v. One fused kernel under wasm,
 * unless the probabilities are observed (the reference composition materialises them).
 * const y = attention(q, keys, values, { queryStart: 5, keyPositions: [0, 1, 2, 3, 4, 5] }) // decode at 5
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: reference.AttentionOptions): Tensor {
  if (activeWasm() === null || options.observe) return reference.attention(q, k, v, options);
  reference.checkAttention(q, k, v, options);
  const out = options.out ?? zeros(q.shape);
  const span = options.span ?? reference.CAUSAL;
  const scale = options.scale ?? 1 / Math.sqrt(q.shape[1]!);
  return wasmAttention(q, k, v, options.queryStart, options.keyPositions, span, scale, out) ? out : reference.attention(q, k, v, { ...options, out });
}

/**
 * Copies src [T, d] into rows at..at+T-1 of dst [*, d]. The KV caches use this to append.
 * copyRows(newKeys, keys, length) // keys[length..length+T) = newKeys
 */
export function copyRows(src: Tensor, dst: Tensor, at: number): void {
  reference.checkCopyRows(src, dst, at);
  const T = src.shape[0]!, d = src.shape[1]!;
  const ss0 = src.stride[0]!, ds0 = dst.stride[0]!;
  const state = loadedWasm();
  const sAt = state ? kernelAddress(state, src.data) : -1, dAt = state && sAt >= 0 ? kernelAddress(state, dst.data) : -1;
  if (T > 0 && state && sAt >= 0 && dAt >= 0 && src.stride[1] === 1 && dst.stride[1] === 1 && ss0 >= 0 && ds0 >= 0) {
    // both in kernel memory with contiguous rows (a KV-cache append): a native copy per row within the
    // one buffer (one wasm call for several rows), when the source and destination ranges are disjoint
    // (else the reference loop)
    const sBase = (sAt >> 2) + src.offset, dBase = (dAt >> 2) + dst.offset + at * ds0;
    const sEnd = sBase + (T - 1) * ss0 + d, dEnd = dBase + (T - 1) * ds0 + d;
    if (sEnd <= dBase || dEnd <= sBase) {
      if (T === 1) state.f32.copyWithin(dBase, sBase, sBase + d);
      else state.kernels.copy_rows(4 * sBase, ss0, 4 * dBase, ds0, T, d);
      return;
    }
  }
  reference.copyRows(src, dst, at);
}
