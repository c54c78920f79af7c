import { DEFAULT_CONFIG } from "./config.js";
import { describe, expect, it } from "vitest";
import {
  attentionCrossover, attentionPairs, cumulativeMacs, forwardMacs, generationMacs, localExponent, speedupSlopes,
  prefillMacs, stepMacs, weightMacsPerToken,
} from "./cost.js";

/** The slope of ln y against ln x between the first and the last point. */
const fitPowerLaw = (xs: readonly number[], ys: readonly number[]) => ({
  exponent: Math.log(ys.at(-1)! / ys[0]!) / Math.log(xs.at(-1)! / xs[0]!),
});

const tiny = { vocabSize: 20, dModel: 4, nLayers: 2, dFF: 8 };

describe("weightMacsPerToken", () => {
  it("counts the exercise's model by hand: 3·(4·64² + 2·64·128) + 20·64 = 99,584", () => {
    expect(weightMacsPerToken(DEFAULT_CONFIG)).toEqual({ projections: 49_152, mlp: 49_152, lmHead: 1_280, total: 99_584 });
  });
  it("counts a tiny model by hand: 2·(4·16 + 2·4·8) + 20·4 = 336", () => {
    expect(weightMacsPerToken(tiny).total).toBe(336);
  });
});

describe("forwardMacs", () => {
  it("prefill of 3 tokens (dense 3×3 scores): 3·99,584 + 384·9 = 302,208", () => {
    expect(forwardMacs(DEFAULT_CONFIG, 3, 3, "dense")).toBe(302_208);
  });
  it("a decode step over 4 keys: 99,584 + 384·4 = 101,120", () => {
    expect(forwardMacs(DEFAULT_CONFIG, 1, 4)).toBe(101_120);
  });
  it("causal counting keeps only the visible pairs", () => {
    expect(attentionPairs(3, 3, "causal")).toBe(6); // 1 + 2 + 3
    expect(attentionPairs(2, 5, "causal")).toBe(2 * 3 + 3); // 3 cached keys each, then 1 + 2
    expect(attentionPairs(1, 5, "causal")).toBe(attentionPairs(1, 5, "dense")); // one query sees every key
    expect(forwardMacs(tiny, 3, 3, "causal")).toBe(3 * 336 + 16 * 6);
  });
});

describe("prefillMacs (the last-row prefill a caching strategy runs)", () => {
  it("3 tokens, dense, by hand: 257,920", () => {
    // blocks 0, 1: 2·(3·32,768 + 128·9) = 198,912; block 2: q, k, v of 3 rows 3·12,288 = 36,864, then the
    // last row's o + MLP 4,096 + 16,384 = 20,480 and its attention over 3 keys 128·3 = 384; lm_head 1,280
    expect(prefillMacs(DEFAULT_CONFIG, 3, "dense")).toBe(257_920);
  });
  it("is a plain forward for one token, and nothing for none", () => {
    expect(prefillMacs(DEFAULT_CONFIG, 1)).toBe(forwardMacs(DEFAULT_CONFIG, 1, 1));
    expect(prefillMacs(tiny, 1, "causal")).toBe(forwardMacs(tiny, 1, 1, "causal"));
    expect(prefillMacs(tiny, 0)).toBe(0);
  });
});

describe("generation totals", () => {
  it("2 tokens after a 3-token prompt, by hand", () => {
    // none: f(3,3) + f(4,4) = 302,208 + (4·99,584 + 384·16); cache: the last-row prefill 257,920 + f(1,4)
    expect(generationMacs(DEFAULT_CONFIG, "none", 3, [1, 2], "dense")).toEqual([302_208, 302_208 + 404_480]);
    expect(generationMacs(DEFAULT_CONFIG, "cache", 3, [1, 2], "dense")).toEqual([257_920, 257_920 + 101_120]);
  });
  it("the cumulative sum is the sum of the steps", () => {
    const steps = Array.from({ length: 50 }, (_, i) => stepMacs(tiny, "none", 5, i));
    expect(cumulativeMacs(tiny, "none", 5, 50).at(-1)).toBe(steps.reduce((s, v) => s + v, 0));
  });
  it("the crossover of the default model is W / (2·d·L) = 99,584 / 384 ≈ 259", () => {
    expect(attentionCrossover(DEFAULT_CONFIG)).toBeCloseTo(259.33, 2);
  });
});

describe("the model's power laws", () => {
  const ns = Array.from({ length: 10 }, (_, i) => 2000 * (i + 1));
  const fit = (c: typeof tiny, kind: "none" | "cache", xs = ns) => fitPowerLaw(xs, generationMacs(c, kind, 1, xs)).exponent;
  const attentionBound = { vocabSize: 1, dModel: 1, nLayers: 1, dFF: 0 }; // W = 5, 2 per pair
  const weightBound = { vocabSize: 20, dModel: 4096, nLayers: 1, dFF: 1_000_000 }; // crossover ≈ 10⁶
  it("attention-bound: no cache grows as n³, the cache as n² (within 0.02)", () => {
    expect(Math.abs(fit(attentionBound, "none") - 3)).toBeLessThan(0.02);
    expect(Math.abs(fit(attentionBound, "cache") - 2)).toBeLessThan(0.02);
  });
  it("weight-bound: no cache grows as n², the cache as n (within 0.02)", () => {
    expect(Math.abs(fit(weightBound, "none") - 2)).toBeLessThan(0.02);
    expect(Math.abs(fit(weightBound, "cache") - 1)).toBeLessThan(0.02);
  });
  it("the speedup per token tends to 1/2 (weights) and 2/3 dense or 1/3 causal (attention)", () => {
    const n = 20_000;
    const ratio = (c: typeof tiny, count: "dense" | "causal", m: number) =>
      generationMacs(c, "none", 1, [m], count)[0]! / generationMacs(c, "cache", 1, [m], count)[0]! / m;
    expect(ratio(attentionBound, "dense", n)).toBeCloseTo(speedupSlopes("dense").attention, 3);
    expect(ratio(attentionBound, "causal", n)).toBeCloseTo(speedupSlopes("causal").attention, 3);
    expect(ratio(weightBound, "dense", 2000)).toBeCloseTo(speedupSlopes("dense").weights, 2);
  });
  it("localExponent reads the slope of a sampled power law", () => {
    const xs = [1, 2, 4, 8];
    const ys = xs.map((x) => 5 * x ** 1.5);
    expect(localExponent(xs, ys, 0)).toBeCloseTo(1.5, 10);
    expect(localExponent(xs, ys, 2)).toBeCloseTo(1.5, 10);
    expect(localExponent(xs, ys, 3)).toBeCloseTo(1.5, 10);
  });
});
