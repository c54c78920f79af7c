import { describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { WeightsError } from "./errors.js";
import { TinyLM } from "./model.js";
import { firstNonFinite, initWeights } from "./weights.js";

describe("initWeights", () => {
  it("refuses a std that overflows float32 (1e39), naming the tensor and the first bad index", () => {
    const err = (() => { try { initWeights(makeConfig(), { std: 1e39 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(WeightsError);
    expect((err as WeightsError).tensor).toBe("tok_emb.weight");
    expect((err as WeightsError).message).toMatch(/^init: "tok_emb.weight" holds -?Infinity at index \[\d+, \d+\] \(flat \d+\); weights must be finite\. float32 stops at 3\.4e38: lower std \(1e\+39\) or perturb \(0\)\.$/);
    expect(() => TinyLM.init(makeConfig(), { perturb: 1e39 })).toThrow(/init: "blocks.0.ln1.weight" holds -?Infinity/);
  });

  it("accepts the largest finite spreads", () => {
    expect(() => initWeights(makeConfig({ nLayers: 1 }), { std: 1e30, perturb: 1e30 })).not.toThrow();
  });
});

describe("firstNonFinite", () => {
  it("finds the first NaN or ±Infinity", () => {
    expect(firstNonFinite(new Float32Array([0, -0, 3.4e38, -1e-45]))).toBe(-1);
    expect(firstNonFinite(new Float32Array([1, Infinity, NaN]))).toBe(1);
    expect(firstNonFinite(new Float32Array([1, 2, NaN, -Infinity]))).toBe(2);
    expect(firstNonFinite([-Infinity])).toBe(0);
  });
});
