import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, makeConfig } from "./config.js";
import { formatCostTables, formatLongRun, formatRateTable } from "./cost-tables.js";
import {
  attentionCrossover, cacheBytesHeld, cachedStepFlops, costConstants, generationFlops, prefillFlops, recomputeStepFlops, speedupClosedForm, stepWalkThrough, weightMacsPerToken,
} from "./cost.js";
import { createCache } from "./kv-cache/index.js";
import { TinyLM } from "./model.js";
import { parameterSpecs } from "./weights.js";

describe("cost formulas", () => {
  it("give the issue's numbers for the default model", () => {
    expect(costConstants(DEFAULT_CONFIG)).toEqual({
      weightFlopsPerToken: 196_608,
      headFlopsPerToken: 2_560,
      attentionFlopsPerKey: 768,
      cacheBytesPerToken: 1_536,
    });
  });

  it("count the weight matrices the model really has (2 FLOPs per matrix entry per token)", () => {
    for (const config of [DEFAULT_CONFIG, makeConfig({ dModel: 48, nLayers: 2, dFF: 80, nHeads: 4 })]) {
      const matrices = parameterSpecs(config).filter((s) => s.shape.length === 2);
      const entries = (prefix: string): number =>
        matrices.filter((s) => s.name.startsWith(prefix)).reduce((n, s) => n + s.shape[0]! * s.shape[1]!, 0);
      const k = costConstants(config);
      expect(k.weightFlopsPerToken).toBe(2 * entries("blocks."));
      expect(k.headFlopsPerToken).toBe(2 * entries("lm_head."));
    }
  });

  it("make a recompute of t tokens cost what t cached steps at lengths 1..t cost", () => {
    for (const t of [1, 2, 7, 100, 999]) {
      let sum = 0;
      for (let s = 1; s <= t; s++) sum += cachedStepFlops(DEFAULT_CONFIG, s);
      expect(recomputeStepFlops(DEFAULT_CONFIG, t)).toBe(sum);
    }
  });

  it("make a last-row prefill skip exactly the last block's other rows: their o, MLP, attention and logits", () => {
    for (const config of [DEFAULT_CONFIG, makeConfig({ dModel: 48, nLayers: 2, dFF: 80, nHeads: 4 })]) {
      const specs = parameterSpecs(config);
      const last = `blocks.${config.nLayers - 1}.`;
      const entries = (names: string[]): number => specs.filter((s) => names.includes(s.name)).reduce((n, s) => n + s.shape[0]! * s.shape[1]!, 0);
      const skippedPerRow = 2 * entries([`${last}attn.o.weight`, `${last}mlp.fc1.weight`, `${last}mlp.fc2.weight`, "lm_head.weight"]);
      for (const p of [1, 2, 3, 50, 1000]) {
        const skippedPairs = (p * (p + 1)) / 2 - p; // the other rows' (query, key) pairs in the last block
        expect(recomputeStepFlops(config, p) - prefillFlops(config, p)).toBe((p - 1) * skippedPerRow + skippedPairs * 2 * 2 * config.dModel);
      }
    }
    expect(prefillFlops(DEFAULT_CONFIG, 0)).toBe(0);
  });

  it("sum to the closed forms docs/kv-cache.md gives (prompt of 1)", () => {
    const { weightFlopsPerToken: W, headFlopsPerToken: H, attentionFlopsPerKey: A } = costConstants(DEFAULT_CONFIG);
    for (const n of [1, 2, 10, 333]) {
      expect(generationFlops(DEFAULT_CONFIG, 1, n, true)).toBe((W + H) * n + (A * n * (n + 1)) / 2);
      expect(generationFlops(DEFAULT_CONFIG, 1, n, false)).toBe(((W + H) * n * (n + 1)) / 2 + (A * n * (n + 1) * (n + 2)) / 6);
    }
  });

  it("give a ratio near n/2 for short runs and tending to n/3 for long ones", () => {
    const ratio = (n: number): number => generationFlops(DEFAULT_CONFIG, 1, n, false) / generationFlops(DEFAULT_CONFIG, 1, n, true);
    expect(generationFlops(DEFAULT_CONFIG, 1, 1, true)).toBe(generationFlops(DEFAULT_CONFIG, 1, 1, false)); // one token: the same pass
    expect(generationFlops(DEFAULT_CONFIG, 3, 1, true)).toBe(prefillFlops(DEFAULT_CONFIG, 3)); // the last-row prefill
    expect(generationFlops(DEFAULT_CONFIG, 3, 1, false)).toBe(recomputeStepFlops(DEFAULT_CONFIG, 3));
    expect(ratio(20) / (20 / 2)).toBeGreaterThan(0.95);
    expect(ratio(20) / (20 / 2)).toBeLessThan(1.1);
    expect(ratio(100_000) / (100_000 / 3)).toBeGreaterThan(1);
    expect(ratio(100_000) / (100_000 / 3)).toBeLessThan(1.01);
  });

  it("give R(n) in closed form: the ratio of the sums from a 1-token prompt", () => {
    for (const n of [1, 2, 10, 259, 1000, 5000]) {
      const exact = generationFlops(DEFAULT_CONFIG, 1, n, false) / generationFlops(DEFAULT_CONFIG, 1, n, true);
      expect(speedupClosedForm(DEFAULT_CONFIG, n)).toBeCloseTo(exact, 9);
    }
  });

  it("walk through t = 5 as the exercise asks: 1,007,360 against 203,008 FLOPs; 4 of 5 rows and 10 of 15 scores repeated", () => {
    expect(stepWalkThrough(DEFAULT_CONFIG, 5)).toEqual({
      uncachedFlops: 1_007_360, cachedFlops: 203_008, projectionRows: 5, repeatedProjectionRows: 4, scoreEntries: 15, repeatedScoreEntries: 10,
    });
  });

  it("put the cache at the size of the weight matrices where attention equals the weights: W / (2·d·L)", () => {
    const weightFloats = weightMacsPerToken(DEFAULT_CONFIG).total; // one multiply-add per matrix entry per token
    const floatsPerPosition = costConstants(DEFAULT_CONFIG).cacheBytesPerToken / 4;
    expect(weightFloats / floatsPerPosition).toBe(attentionCrossover(DEFAULT_CONFIG));
  });

  it("match the bytes every cache strategy reports holding", () => {
    const config = makeConfig({ contextLength: 64, positional: "sinusoidal" });
    const model = TinyLM.init(config, { seed: 3 });
    const tokens = Array.from({ length: 40 }, (_, i) => (i * 7) % 20);
    const cases = [
      { kind: "full", stored: 40 },
      { kind: "paged", stored: 40 },
      { kind: "sliding-window", stored: 16, options: { window: 16 } },
      { kind: "sinks", stored: 4 + 12, options: { window: 12, sinks: 4 } },
      { kind: "int8", stored: 40 },
    ] as const;
    for (const { kind, stored, ...rest } of cases) {
      const cache = createCache(kind, config, "options" in rest ? rest.options : {});
      model.forward(tokens.slice(0, 30), { cache });
      for (const token of tokens.slice(30)) model.forward([token], { cache });
      expect(cache.bytes().used, kind).toBe(cacheBytesHeld(config, kind, stored));
    }
  });
});

describe("docs/kv-cache.md", () => {
  const page = readFileSync(new URL("../../../docs/kv-cache.md", import.meta.url), "utf8");

  it("prints the tables the formulas give for the default model", () => {
    expect(page).toContain(formatCostTables(DEFAULT_CONFIG));
  });

  it("prints the rate table and the long run the formulas give", () => {
    expect(page).toContain(formatRateTable(DEFAULT_CONFIG));
    expect(page).toContain(formatLongRun(DEFAULT_CONFIG));
    expect(formatLongRun(DEFAULT_CONFIG)).toContain("1.43 TFLOP");
    expect(formatLongRun(DEFAULT_CONFIG)).toContain("1.94 GFLOP");
  });

  it("quotes the walk-through, the crossover and R(n)/n as the formulas give them", () => {
    const n = (x: number): string => x.toLocaleString("en-US");
    const w = stepWalkThrough(DEFAULT_CONFIG, 5);
    expect(page).toContain(`**${n(w.uncachedFlops)}**`);
    expect(page).toContain(`**${n(w.cachedFlops)}**`);
    expect(page).toContain(`**${(w.uncachedFlops / w.cachedFlops).toFixed(2)}×**`);
    expect(page).toContain(`${w.repeatedProjectionRows} of the ${w.projectionRows} projection rows and ${w.repeatedScoreEntries} of the ${w.scoreEntries} score entries`);
    expect(page).toContain(`≈ ${attentionCrossover(DEFAULT_CONFIG).toFixed(1)}`);
    const per = (x: number): string => (speedupClosedForm(DEFAULT_CONFIG, x) / x).toFixed(3);
    expect(page).toContain(`${per(259)} at n = 259, ${per(1000)} at 1,000, ${per(5000)} at 5,000`);
    expect(page).toContain(`(${n(weightMacsPerToken(DEFAULT_CONFIG).total * 4)} bytes)`);
  });

  it("quotes the per-step costs the formulas give", () => {
    const k = costConstants(DEFAULT_CONFIG);
    const n = (x: number): string => x.toLocaleString("en-US");
    expect(page).toContain(`${n(k.weightFlopsPerToken)} + ${n(k.attentionFlopsPerKey)}·t`);
    expect(page).toContain(`${n(k.weightFlopsPerToken)}·t + ${n(k.attentionFlopsPerKey / 2)}·t²`);
    expect(page).toContain(`${n(k.cacheBytesPerToken)} bytes`);
  });
});
