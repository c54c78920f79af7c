import { describe, expect, it } from "vitest";
import { evalPowerLaw, fitPowerLaw, fitRunCost, fitScale, fitStepCost } from "./fit.js";

// deterministic ±5% multiplicative noise, so the test never depends on a random draw
const noise = (i: number) => 1 + 0.05 * Math.sin(i * 12.9898);

describe("fitPowerLaw", () => {
  it("recovers an exact power law", () => {
    const law = fitPowerLaw([1, 2, 4], [3, 12, 48]);
    expect(law.exponent).toBeCloseTo(2, 12);
    expect(law.coefficient).toBeCloseTo(3, 12);
    expect(law.r2).toBeCloseTo(1, 12);
  });
  it.each([1, 2, 2.5, 3])("recovers exponent %d within 0.02 from noisy data on the bench's n values", (b) => {
    const xs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
    const ys = xs.map((x, i) => 0.004 * x ** b * noise(i));
    const law = fitPowerLaw(xs, ys);
    expect(Math.abs(law.exponent - b)).toBeLessThan(0.02);
    expect(law.r2).toBeGreaterThan(0.99);
  });
  it("evalPowerLaw evaluates a·x^b", () => {
    expect(evalPowerLaw({ coefficient: 2, exponent: 3, r2: 1 }, [1, 2, 10])).toEqual([2, 16, 2000]);
  });
  it("rejects non-positive values and single points with a message", () => {
    expect(() => fitPowerLaw([1, 2], [1, 0])).toThrow(/fitPowerLaw: every value must be positive and finite for log–log fitting; got 0/);
    expect(() => fitPowerLaw([5, 5], [1, 2])).toThrow(/need at least two distinct x values/);
    expect(() => fitPowerLaw([1, 2], [1])).toThrow(/x and y differ in length; got 2 and 1/);
  });
});

describe("fitScale", () => {
  it("is the geometric mean of measured / predicted", () => {
    expect(fitScale([1, 2], [3, 6])).toBeCloseTo(3, 12);
    expect(fitScale([1, 1], [2, 8])).toBeCloseTo(4, 12);
  });
});

describe("fitStepCost", () => {
  it("recovers an exact per-step + per-operation cost", () => {
    const fit = fitStepCost([1, 2, 3], [10, 40, 90], [12, 44, 96]);
    expect(fit.perStep).toBeCloseTo(2, 10);
    expect(fit.perOp).toBeCloseTo(1, 10);
  });
  it("recovers both from the cached run's shape under ±2% noise (the two terms are nearly collinear)", () => {
    const ns = [10, 20, 50, 100, 200, 500, 1000];
    const ops = ns.map((n) => n * 99_584 + 384 * (n * (n + 1)) / 2); // weights + attention over t keys
    const ys = ns.map((n, i) => (0.04 * n + 6e-7 * ops[i]!) * (1 + 0.4 * (noise(i) - 1)));
    const fit = fitStepCost(ns, ops, ys);
    expect(Math.abs(fit.perStep / 0.04 - 1)).toBeLessThan(0.3); // the weaker term
    expect(Math.abs(fit.perOp / 6e-7 - 1)).toBeLessThan(0.05);
  });
  it("never returns a negative term: drops it and refits the other", () => {
    const fit = fitStepCost([1, 2, 3], [1, 2, 3.5], [1, 2, 3.5]); // pure per-op data, steps would go negative
    expect(fit.perStep).toBe(0);
    expect(fit.perOp).toBeCloseTo(1, 10);
  });
});

describe("fitRunCost", () => {
  it("recovers an exact per-run + per-step + per-operation cost", () => {
    const fit = fitRunCost([1, 2, 3, 5], [10, 40, 90, 250], [15, 47, 99, 263]);
    expect(fit.perRun).toBeCloseTo(3, 8);
    expect(fit.perStep).toBeCloseTo(2, 8);
    expect(fit.perOp).toBeCloseTo(1, 8);
  });
  it("keeps a one-off cost out of the per-step term (the cached run's shape)", () => {
    const ns = [10, 20, 50, 100, 200, 500, 1000];
    const ops = ns.map((n) => n * 99_584 + 384 * (n * (n + 1)) / 2);
    const ys = ns.map((n, i) => 2 + 0.01 * n + 6e-7 * ops[i]!);
    const fit = fitRunCost(ns, ops, ys);
    expect(fit.perRun).toBeCloseTo(2, 6);
    expect(fit.perStep).toBeCloseTo(0.01, 8);
    expect(fit.perOp).toBeCloseTo(6e-7, 12);
  });
  it("never returns a negative term", () => {
    const fit = fitRunCost([1, 2, 3], [1, 2, 3.5], [1, 2, 3.5]); // pure per-op data
    expect(fit.perRun).toBeGreaterThanOrEqual(0);
    expect(fit.perStep).toBeGreaterThanOrEqual(0);
    expect(fit.perOp).toBeCloseTo(1, 8);
  });
});
