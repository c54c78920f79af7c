// The wasm attention over int8 rows against a float64 attention over the same rows dequantized
// (f32(q) · scale), and against the float kernel over them: equal up to float rounding, with per-token and
// per-channel (grouped, with float residual rows) key scales, widths with scalar tails, several heads,
// windows and sinks, and scales at their edges (zero rows, ±127, subnormal and huge scales, an outlier
// channel). The JS path dequantizes and runs `attention`.
import { describe, expect, it } from "vitest";
import { ShapeError } from "../errors.js";
import { attention } from "./dispatch.js";
import { dequantizeKeys, dequantizeValues, type Int8Keys, type Int8Values } from "../ops/int8-attention.js";
import { int8Attention } from "./kv-attention.js";
import type { AttentionSpan } from "../ops/softmax.js";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { allocFloat32, allocInt8, kernelZeros } from "./memory.js";
import { maxAbsDiff, randomMatrix, under } from "./placement.test-utils.js";

const quantize = (x: number, s: number): number => (s === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(x / s))));

/** Per-token absmax rows of x [S, d]. */
function perToken(x: Tensor): { data: Int8Array; scales: Float32Array } {
  const [S, d] = x.shape as [number, number];
  const data = allocInt8(S * d), scales = allocFloat32(S);
  for (let j = 0; j < S; j++) {
    let m = 0;
    for (let c = 0; c < d; c++) m = Math.max(m, Math.abs(x.get(j, c)));
    scales[j] = m / 127;
    for (let c = 0; c < d; c++) data[j * d + c] = quantize(x.get(j, c), scales[j]!);
  }
  return { data, scales };
}

/** Per-channel keys: whole groups of G rows quantized, the rest as float residual rows. */
function perChannel(x: Tensor, G: number): Int8Keys {
  const [S, d] = x.shape as [number, number];
  const quantized = Math.floor(S / G) * G;
  const data = allocInt8(S * d), scales = allocFloat32(Math.ceil(S / G) * d);
  for (let g = 0; g * G < quantized; g++) {
    for (let c = 0; c < d; c++) {
      let m = 0;
      for (let j = g * G; j < (g + 1) * G; j++) m = Math.max(m, Math.abs(x.get(j, c)));
      scales[g * d + c] = m / 127;
      for (let j = g * G; j < (g + 1) * G; j++) data[j * d + c] = quantize(x.get(j, c), scales[g * d + c]!);
    }
  }
  const residual = kernelZeros([Math.max(S - quantized, 1), d]);
  for (let j = quantized; j < S; j++) for (let c = 0; c < d; c++) residual.set(j - quantized, c, x.get(j, c));
  return { data, scales, group: G, quantized, residual };
}

function reference(q: Tensor, k: Tensor, v: Tensor, nHeads: number, queryStart: number, first: number, span: AttentionSpan): Tensor {
  const [T, d] = q.shape as [number, number];
  const S = k.shape[0]!, dh = d / nHeads;
  const out = kernelZeros([T, d]);
  const keyPositions = Int32Array.from({ length: S }, (_, j) => first + j);
  const kk = kernelZeros([S, d]), vv = kernelZeros([S, d]);
  kk.data.set(k.data.subarray(0, S * d));
  vv.data.set(v.data.subarray(0, S * d));
  for (let h = 0; h < nHeads; h++) {
    const c = h * dh;
    attention(q.lo(0, c).hi(T, dh), kk.lo(0, c).hi(S, dh), vv.lo(0, c).hi(S, dh), { queryStart, keyPositions, span, out: out.lo(0, c).hi(T, dh) });
  }
  return out;
}

const CAUSAL = { window: Infinity, sinks: 0 };

/** softmax(mask(q·kᵀ/√dh))·v per head in float64, key j at first + j: the independent reference. */
function naive(q: Tensor, k: Tensor, v: Tensor, nHeads: number, queryStart: number, first: number, span: AttentionSpan): number[][] {
  const [T, d] = q.shape as [number, number];
  const S = k.shape[0]!, dh = d / nHeads;
  return Array.from({ length: T }, (_, i) => {
    const row = new Array<number>(d).fill(0);
    const qp = queryStart + i;
    for (let h = 0; h < nHeads; h++) {
      const c0 = h * dh;
      const seen: number[] = [], scores: number[] = [];
      for (let j = 0; j < S; j++) {
        const kp = first + j;
        if (kp > qp || (qp - kp >= span.window && kp >= span.sinks)) continue;
        let dot = 0;
        for (let c = 0; c < dh; c++) dot += q.get(i, c0 + c) * k.get(j, c0 + c);
        seen.push(j);
        scores.push(dot / Math.sqrt(dh));
      }
      const top = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - top));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < dh; c++) row[c0 + c] = seen.reduce((acc, j, n) => acc + (e[n]! / sum) * v.get(j, c0 + c), 0);
    }
    return row;
  });
}

function maxDiff(a: Tensor, b: number[][]): number {
  let m = 0;
  b.forEach((row, i) => row.forEach((x, c) => (m = Math.max(m, Math.abs(a.get(i, c) - x)))));
  return m;
}

/**
 * int8Attention against the float64 attention over the dequantized rows (within 2e-5: the outputs are
 * O(1)) and against the wasm float kernel over them (within 1e-5).
 */
function same(q: Tensor, keys: Int8Keys, values: Int8Values, S: number, nHeads: number, queryStart: number, first = 0, span: AttentionSpan = CAUSAL): void {
  const [T, d] = q.shape as [number, number];
  const got = int8Attention(q, keys, values, S, { queryStart, firstPosition: first, span, nHeads, out: kernelZeros([T, d]) });
  const k = dequantizeKeys(keys, S, d), v = dequantizeValues(values, S, d);
  expect(maxDiff(got, naive(q, k, v, nHeads, queryStart, first, span))).toBeLessThan(2e-5);
  expect(maxAbsDiff(got, reference(q, k, v, nHeads, queryStart, first, span))).toBeLessThan(1e-5);
}

describe("int8Attention (wasm) against attention over the dequantized rows, up to rounding", () => {
  it.each([
    [1, 64, 1], [3, 64, 1], [4, 64, 1], [5, 64, 1], [33, 64, 1], [1000, 64, 1], [9, 5, 1], [21, 6, 1], [40, 13, 1], [37, 20, 1],
    [50, 48, 4], [17, 64, 2], [12, 2, 2],
  ])("per-token keys, decode over S=%i, d=%i, %i head(s)", (S, d, nHeads) => {
    const rng = new Rng(S * 131 + d);
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 1, d, "kernel");
    same(q, { ...perToken(k), group: 0 }, perToken(v), S, nHeads, S - 1);
  });

  it.each([
    [4, 4, 64], [4, 7, 64], [8, 64, 64], [8, 70, 64], [32, 100, 64], [32, 31, 64], [16, 50, 13], [4, 30, 6], [12, 40, 20],
  ])("per-channel keys in groups of %i (float rows past the last whole group), S=%i, d=%i", (G, S, d) => {
    const rng = new Rng(G * 7 + S * 131 + d);
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 1, d, "kernel");
    for (let j = 0; j < S; j++) k.set(j, 1, 40 * k.get(j, 1)); // an outlier channel: per-channel scales are for this
    same(q, perChannel(k, G), perToken(v), S, 1, S - 1);
  });

  it("prefill rows, windows, sinks and a first position other than 0", () => {
    const rng = new Rng(41);
    const S = 45, d = 24, T = 6, first = 200;
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, T, d, "kernel");
    for (const keys of [{ ...perToken(k), group: 0 }, perChannel(k, 8)]) {
      for (const span of [CAUSAL, { window: 7, sinks: 0 }, { window: 7, sinks: 204 }, { window: 1, sinks: 201 }, { window: 20, sinks: 217 }]) {
        same(q, keys, perToken(v), S, 2, first + S - T, first, span);
      }
    }
  });

  it("handles scales at their edges: zero rows, ±127, subnormal and huge scales", () => {
    const rng = new Rng(43);
    const S = 24, d = 16;
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 2, d, "kernel");
    for (let c = 0; c < d; c++) {
      k.set(0, c, 0); v.set(0, c, 0); // a zero row: scale 0
      k.set(1, c, c % 2 ? 127 : -127); v.set(1, c, c % 2 ? -3 : 3); // every element at ±127 after scaling
      k.set(2, c, 1e-39 * (c - 8)); v.set(2, c, 1e-39 * c); // subnormal scales
      k.set(3, c, 1e30 * (c % 3 - 1)); // a huge key row, huge scores: the others' weights underflow to +0
    }
    const keys = { ...perToken(k), group: 0 }, values = perToken(v);
    expect(keys.scales[0]).toBe(0);
    expect(keys.scales[2]).toBeLessThan(1.2e-38);
    same(q, keys, values, S, 1, S - 2);
    same(q, perChannel(k, 4), values, S, 1, S - 2);
  });
});

describe("int8Attention's JS path and checks", () => {
  it("dequantizes and agrees with the wasm kernel within 1e-5", () => {
    const rng = new Rng(47);
    const S = 30, d = 32;
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 3, d, "kernel");
    for (const keys of [{ ...perToken(k), group: 0 }, perChannel(k, 8)]) {
      const opts = { queryStart: S - 3, nHeads: 2 };
      const js = under("js", () => int8Attention(q, keys, perToken(v), S, opts));
      expect(maxAbsDiff(js, int8Attention(q, keys, perToken(v), S, opts))).toBeLessThan(1e-5);
      // quantization error against the float rows: small next to the values (|v| ~ 1)
      const exact = under("js", () => attention(q.lo(0, 0).hi(3, 16), k.lo(0, 0).hi(S, 16), v.lo(0, 0).hi(S, 16), { queryStart: S - 3, keyPositions: Int32Array.from({ length: S }, (_, j) => j) }));
      expect(maxAbsDiff(js.lo(0, 0).hi(3, 16), exact)).toBeLessThan(0.05);
    }
  });

  it("rejects a group that is not a multiple of 4, missing residual rows and short value rows", () => {
    const q = kernelZeros([1, 8]);
    const data = allocInt8(64), scales = allocFloat32(64), values = { data: allocInt8(64), scales: allocFloat32(8) };
    expect(() => int8Attention(q, { data, scales, group: 6 }, values, 8, { queryStart: 7 })).toThrow(ShapeError);
    expect(() => int8Attention(q, { data, scales, group: 4, quantized: 4 }, values, 8, { queryStart: 7 })).toThrow(
      "int8Attention: keys past `quantized` need float residual rows; got no residual, expected residual [>= 4, 8]",
    );
    expect(() => int8Attention(q, { data, scales, group: 0 }, { data: allocInt8(8), scales: allocFloat32(8) }, 8, { queryStart: 7 })).toThrow(ShapeError);
  });
});
