// `int8` against `full`. The tolerance is built up from the quantization step:
//  1. per element: |x - x̂| <= scale / 2 with scale = max|x| / 127 (the rounding step), checked exactly;
//  2. per attention layer: from (1), a rigorous bound on the change of the attention output (derived below),
//     checked on keys and values taken from a real forward pass (the error measured is ~2% of the bound:
//     it is a worst case);
//  3. on the logits, where no useful rigorous bound exists (three layers, LayerNorms, an MLP), an absolute
//     tolerance of 0.05 for a unit-gain model (weights std 1/√d = 0.125): the per-element error is at most
//     1/254 ≈ 0.4% of its row's absmax, a unit-gain layer passes a relative change on without amplifying it
//     much, so over L = 3 layers the logits should move by about L · 0.4% of their scale (~1, largest ~4)
//     at most: ~0.012 typical, 0.05 leaves room for the largest logits. Measured (18 configurations × 251
//     steps × 20 logits, teacher-forced on `full`'s tokens): max |Δlogit| 0.006–0.018, rms 0.0011–0.0025.
//     The error scales with the model's gain: the sharp test models (std 0.3, gain ~2.4 per linear, near
//     one-hot attention) measure max |Δlogit| 0.09–0.89 on logits up to ~9, and flip 0–8 of 251 greedy picks.
import { describe, expect, it } from "vitest";
import { Rng, fromArray, type Tensor } from "@tinylm/tensor";
import { makeConfig, type Positional } from "../config.js";
import { TinyLM } from "../model.js";
import { decode, maxAbsDiff, tokensOf } from "./drive.test-utils.js";
import { createCache } from "./index.js";
import { Int8Cache } from "./int8-cache.js";
import { dequantizeRows, quantizeRow } from "./quantize.js";
import type { KVQuantized } from "./types.js";
import { viewRows } from "./view.js";

const F32 = 2 ** -24; // float32 relative rounding

describe("quantizeRow / dequantizeRows", () => {
  const rng = new Rng(5);
  const rows: number[][] = [
    Array.from({ length: 64 }, () => rng.normal()),
    Array.from({ length: 64 }, () => 1e-3 * rng.normal()),
    Array.from({ length: 64 }, (_, j) => (j === 7 ? 50 : rng.normal())), // one outlier sets a coarse step
    Array.from({ length: 64 }, () => 0),
    Array.from({ length: 64 }, (_, j) => 4 * j - 127), // integers with max 127: scale 1, exactly on the grid
  ];

  it("keeps every element within scale / 2 of the original, scale = max|x| / 127", () => {
    const x = fromArray(rows); // [5, 64]
    const q = new Int8Array(5 * 64), scales = new Float32Array(5), out = new Float32Array(5 * 64);
    rows.forEach((_, r) => (scales[r] = quantizeRow(x, r, q, r * 64)));
    dequantizeRows(q, scales, 5, 64, out);
    rows.forEach((row, r) => {
      const max = Math.max(...row.map(Math.abs));
      expect(scales[r]).toBeCloseTo(max / 127, 6);
      if (max > 0) expect(Math.max(...Array.from(q.subarray(r * 64, r * 64 + 64), Math.abs))).toBe(127);
      row.forEach((v, j) => {
        const err = Math.abs(Math.fround(v) - out[r * 64 + j]!);
        expect(err).toBeLessThanOrEqual(scales[r]! / 2 + Math.abs(out[r * 64 + j]!) * F32);
      });
    });
    expect(Array.from(out.subarray(3 * 64, 4 * 64)).every((v) => v === 0)).toBe(true); // zero row -> zeros
    expect(Array.from(out.subarray(4 * 64, 5 * 64))).toEqual(rows[4]!.map(Math.fround));
  });

  it("dequantizes rows of any width (the unrolled loop's remainder)", () => {
    for (const d of [1, 3, 6, 7]) {
      const q = Int8Array.from({ length: 3 * d }, (_, i) => ((i * 37) % 255) - 127);
      const scales = Float32Array.from([0.5, 0, 0.031]);
      const out = new Float32Array(3 * d);
      dequantizeRows(q, scales, 3, d, out);
      expect(Array.from(out)).toEqual(Array.from(q, (x, i) => Math.fround(x * scales[Math.floor(i / d)]!)));
    }
  });
});

/** Keys and values as appended, and as the int8 cache hands them back, for one layer. */
function capture(model: TinyLM, tokens: number[], layer: number): { exact: [number[][], number[][]]; read: [number[][], number[][]] } {
  const rowsOf = (t: Tensor): number[][] => Array.from({ length: t.shape[0]! }, (_, i) => Array.from({ length: t.shape[1]! }, (_, j) => t.get(i, j)));
  let result: ReturnType<typeof capture> | undefined;
  class Recording extends Int8Cache {
    override append(l: number, k: Tensor, v: Tensor): KVQuantized {
      const view = super.append(l, k, v);
      const rows = viewRows(view);
      if (l === layer) result = { exact: [rowsOf(k), rowsOf(v)], read: [rowsOf(rows.keys), rowsOf(rows.values)] };
      return view;
    }
  }
  model.forward(tokens, { cache: new Recording(model.config) });
  return result!;
}

describe("Int8Cache", () => {
  const model = TinyLM.init(makeConfig({ contextLength: 64, nHeads: 2 }), { seed: 3, std: 0.3, perturb: 0.2 });

  it("hands back every key and value within scale / 2 of what was appended (every layer)", () => {
    for (let layer = 0; layer < 3; layer++) {
      const { exact, read } = capture(model, tokensOf(64), layer);
      for (const which of [0, 1]) {
        exact[which]!.forEach((row, i) => {
          const half = Math.max(...row.map(Math.abs)) / 127 / 2;
          row.forEach((x, j) => expect(Math.abs(x - read[which]![i]![j]!)).toBeLessThanOrEqual(half * (1 + 1e-6) + Math.abs(x) * F32));
        });
      }
    }
  });

  it("changes one attention layer's output by no more than the bound derived from the step", () => {
    // For query q and key j, the score error is |Δs_j| <= |q|₁ · (scale_kj / 2) / √dh =: ε_j, ε = max ε_j.
    // Softmax: p'_j / p_j lies in [e^-2ε, e^2ε], so Σ|Δp_j| <= e^2ε - 1. Output y = Σ p_j v_j:
    // |Δy| <= Σ p'_j |Δv_j| + Σ |Δp_j| |v_j| <= max_j scale_vj / 2 + (e^2ε - 1) · max_j |v_j|.
    const { exact, read } = capture(model, tokensOf(64, 1), 1);
    const [K, V] = exact, [Kq, Vq] = read;
    const S = K.length, d = 64, dh = 32;
    const rng = new Rng(9);
    const scaleOf = (row: number[]) => Math.max(...row.map(Math.abs)) / 127;
    let worstRatio = 0;
    for (let n = 0; n < 20; n++) {
      const q = Array.from({ length: d }, () => 2 * rng.normal());
      for (let head = 0; head < 2; head++) {
        const cols = Array.from({ length: dh }, (_, c) => head * dh + c);
        const attend = (keys: number[][], values: number[][]) => {
          const s = keys.map((k) => cols.reduce((a, c) => a + q[c]! * k[c]!, 0) / Math.sqrt(dh));
          const m = Math.max(...s), e = s.map((x) => Math.exp(x - m)), z = e.reduce((a, x) => a + x, 0);
          return cols.map((c) => values.reduce((a, v, j) => a + (e[j]! / z) * v[c]!, 0));
        };
        const y = attend(K, V), yq = attend(Kq, Vq);
        const q1 = cols.reduce((a, c) => a + Math.abs(q[c]!), 0);
        const eps = Math.max(...K.map((k) => (q1 * scaleOf(k)) / 2 / Math.sqrt(dh)));
        const vmax = Math.max(...V.map((v) => Math.max(...cols.map((c) => Math.abs(v[c]!)))));
        const bound = Math.max(...V.map(scaleOf)) / 2 + Math.expm1(2 * eps) * vmax;
        const err = Math.max(...y.map((x, c) => Math.abs(x - yq[c]!)));
        expect(err).toBeLessThanOrEqual(bound + 1e-6);
        worstRatio = Math.max(worstRatio, err / bound);
      }
    }
    expect(S).toBe(64);
    expect(worstRatio).toBeGreaterThan(0); // the int8 path really differs from the exact one
  });

  it.each([
    ["learned", 1],
    ["learned", 4],
    ["sinusoidal", 2],
  ] as [Positional, number][])("logits within 0.05 of `full` on a unit-gain model (%s positions, %i heads, 251 steps)", (positional, nHeads) => {
    const unit = TinyLM.init(makeConfig({ positional, nHeads, contextLength: 256 }), { seed: 1, std: 1 / Math.sqrt(64), perturb: 0.2 });
    const full = decode(unit, createCache("full", unit.config), tokensOf(5), 256);
    const int8 = decode(unit, createCache("int8", unit.config), tokensOf(5), 256, (_, p) => full.tokens[p]!); // same tokens
    const err = maxAbsDiff(full.logits, int8.logits);
    expect(err).toBeLessThan(0.05);
    expect(err).toBeGreaterThan(1e-4); // quantized, not secretly exact
  });

  it("reports its memory: int8 rows and float32 scales, nothing else (no float copy to read through)", () => {
    const { nLayers: L, dModel: d, contextLength: C } = model.config;
    const cache = new Int8Cache(model.config);
    model.forward(tokensOf(10), { cache });
    const full = createCache("full", model.config);
    model.forward(tokensOf(10), { cache: full });
    expect(cache.bytes()).toEqual({ used: 10 * 2 * L * (d + 4), allocated: C * 2 * L * (d + 4) });
    expect(cache.bytes().used / full.bytes().used).toBeCloseTo((d + 4) / (4 * d), 10); // 0.266 at d = 64
    expect(cache.bytes().allocated / full.bytes().allocated).toBeCloseTo((d + 4) / (4 * d), 10);
    // per-channel key scales: a scale per column for every 32 positions, and a float group of 32 keys
    const channel = new Int8Cache(model.config, { keyScales: "channel" });
    model.forward(tokensOf(10), { cache: channel });
    const keyScales = (n: number): number => Math.ceil(n / 32) * d * 4 + 32 * d * 4;
    expect(channel.bytes()).toEqual({ used: L * (10 * 2 * d + 10 * 4 + keyScales(10)), allocated: L * (C * 2 * d + C * 4 + keyScales(C)) });
  });
});
