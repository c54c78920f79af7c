import { describe, expect, it } from "vitest";
import { analyze, NOISE_THRESHOLD } from "./analysis.js";
import { fitPowerLaw } from "./fit.js";
import { generationMacs, stepMacs } from "@tinylm/model";
import { syntheticResults } from "./synthetic.test-utils.js";

describe("analyze", () => {
  // both series made exactly of 50 µs per step + 0.5 ns per multiply-add
  const base = syntheticResults({ attentionCount: "causal" });
  const config = { vocabSize: 20, dModel: 64, nLayers: 3, dFF: 128 };
  const n = base.sweep.n;
  const fullMacs = generationMacs(config, "cache", 3, n, "causal");
  const noneMacs = generationMacs(config, "none", 3, n, "causal");
  const fullMs = n.map((x, i) => 0.05 * x + 5e-7 * fullMacs[i]!);
  const noneMs = n.map((x, i) => 0.05 * x + 5e-7 * noneMacs[i]!);
  const exact = (ms: number[]) => ({ medianMs: ms, minMs: ms, maxMs: ms, samplesMs: [ms] });
  const results = { ...base, sweep: { ...base.sweep, none: exact(noneMs), full: exact(fullMs) } };
  const a = analyze(results);

  it("fits one per-step and one per-multiply-add time on both series", () => {
    expect(a.msPerStep).toBeCloseTo(0.05, 8);
    expect(a.msPerMac).toBeCloseTo(5e-7, 14);
    expect(a.msPerRun).toBeCloseTo(0, 8);
    expect(a.fitError.none).toBeLessThan(1e-9);
    expect(a.fitError.full).toBeLessThan(1e-9);
  });

  it("predicts time as a·n + k·MACs, and the speedup as the ratio of counts (and of modelled times)", () => {
    a.predictedMs.none.forEach((p, i) => expect(p).toBeCloseTo(noneMs[i]!, 10));
    a.speedup.predicted.forEach((s, i) => expect(s).toBeCloseTo(noneMacs[i]! / fullMacs[i]!, 10));
    a.speedup.modelled.forEach((s, i) => expect(s).toBeCloseTo(noneMs[i]! / fullMs[i]!, 10));
    expect(a.speedup.measured[2]).toBeCloseTo(noneMs[2]! / fullMs[2]!, 10);
  });

  it("reports how far the model misses each series", () => {
    const b = analyze(base); // synthetic times that are not a·n + k·MACs
    const worst = Math.max(...b.predictedMs.none.map((p, i) => Math.abs(p / base.sweep.none.minMs[i]! - 1)));
    expect(b.fitError.none).toBeCloseTo(worst, 12);
    expect(b.fitError.none).toBeGreaterThan(0.01);
  });

  it("predicts each decode step at its position", () => {
    expect(a.positionsPredictedMs.full[0]).toBeCloseTo(0.05 + 5e-7 * stepMacs(config, "cache", 3, 1, "causal"), 10); // position 4 = token index 1
    expect(a.positionsPredictedMs.none[4]).toBeCloseTo(0.05 + 5e-7 * stepMacs(config, "none", 3, 5, "causal"), 10);
  });

  it("uses the attention count of the kernels that ran: n/3 (causal) or 2n/3 (dense) in the limit", () => {
    expect(a.slopes).toEqual({ weights: 0.5, attention: 1 / 3 });
    expect(analyze(syntheticResults({ attentionCount: "dense" })).slopes.attention).toBeCloseTo(2 / 3, 12);
  });

  it("keeps the fastest repeat of each point and reports how far the repeats spread: max / min − 1", () => {
    const noisy = syntheticResults({ spread: 1.5 });
    const b = analyze(noisy); // the slowest repeat 1.5× the fastest
    expect(b.time.none).toEqual(noisy.sweep.none.minMs);
    expect(b.noise.spread.none[0]).toBeCloseTo(0.5, 12);
    expect(analyze(base).noise).toMatchObject({ disagreeing: 0, noisy: false }); // 1.1×: within the threshold
    expect(b.noise).toMatchObject({ repeats: 3, threshold: NOISE_THRESHOLD, disagreeing: 6, points: 6, noisy: true });
    expect(a.noise).toMatchObject({ disagreeing: 0, noisy: false });
  });

  it("separates a one-off cost per run from the per-step cost", () => {
    const shift = (ms: number[]) => ms.map((x) => x + 3); // 3 ms once per run
    const c = analyze({ ...base, sweep: { ...base.sweep, none: exact(shift(noneMs)), full: exact(shift(fullMs)) } });
    expect(c.msPerRun).toBeCloseTo(3, 6);
    expect(c.msPerStep).toBeCloseTo(0.05, 8);
    expect(c.msPerMac).toBeCloseTo(5e-7, 13);
  });

  it("fits power laws to the counted multiply-adds at the same n, beside the measured ones", () => {
    expect(a.modelFits.full.exponent).toBeCloseTo(fitPowerLaw(n, fullMacs).exponent, 12);
    expect(a.modelFits.none.exponent).toBeGreaterThan(a.modelFits.full.exponent);
  });
});
