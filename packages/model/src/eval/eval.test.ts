// The eval library: strategy specs and their errors, and measurements that must hold by construction —
// `none`, `full` and `paged` give the same perplexity and generations, int8 is close, a small window is not.
import { describe, expect, it } from "vitest";
import { makeConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { TinyLM } from "../model.js";
import { attentionMass, isSink } from "./attention-mass.js";
import { evaluate, evalPlan, type EvalPlan } from "./evaluate.js";
import { defaultStrategies, defaultWindows, parseStrategy } from "./strategies.js";

const config = makeConfig({ contextLength: 32 });

describe("strategy specs", () => {
  it("names the defaults: none, full, paged, int8 both ways, windows 4..context, sinks 1 and 4 where they fit", () => {
    expect(defaultWindows(config)).toEqual([4, 8, 16, 32]);
    expect(defaultWindows(makeConfig({ contextLength: 1024, positional: "sinusoidal" }))).toEqual([4, 8, 16, 32, 64, 128, 256]);
    expect(defaultStrategies(config).map((s) => s.label)).toEqual([
      "none", "full", "paged", "int8", "int8:channel", "sliding-window:4", "sliding-window:8", "sliding-window:16", "sliding-window:32",
      "sinks:4:1", "sinks:8:1", "sinks:16:1", "sinks:8:4", "sinks:16:4",
      "sliding-window:4:cache", "sliding-window:8:cache", "sliding-window:16:cache", "sliding-window:32:cache", "sinks:8:4:cache", "sinks:16:4:cache",
    ]);
  });

  it("parses each strategy's settings", () => {
    expect(parseStrategy("sinks:16:4", config)).toEqual({ label: "sinks:16:4", kind: "sinks", options: { window: 16, sinks: 4 } });
    expect(parseStrategy("paged:8", config).options).toEqual({ blockSize: 8 });
    expect(parseStrategy("int8:channel", config).options).toEqual({ keyScales: "channel" });
    expect(parseStrategy(" sliding-window:5 ", config).options).toEqual({ window: 5 });
    expect(parseStrategy("sliding-window:5:cache", config)).toEqual({ label: "sliding-window:5:cache", kind: "sliding-window", options: { window: 5, positions: "cache" } });
    expect(parseStrategy("sinks:8:2:absolute", config)).toEqual({ label: "sinks:8:2", kind: "sinks", options: { window: 8, sinks: 2 } });
  });

  it.each([
    ["foo", /strategy is not a cache strategy \(choose from: none, full, paged\[:B\], int8\[:token\|channel\], sliding-window:W\[:cache\], sinks:W:S\[:cache\]/],
    ["sliding-window:33", /window must be an integer in \[1, 32\] \(positions kept, at most the context 32\); got "33"/],
    ["sliding-window", /takes the window, then optionally the positions: sliding-window:W\[:absolute\|cache\]/],
    ["sliding-window:8:relative", /takes the window, then optionally the positions/],
    ["sinks:8:8", /sinks must be an integer in \[1, 7\] \(leading positions kept: fewer than the window 8/],
    ["sinks:30:4", /sinks must be an integer in \[1, 2\]/],
    ["sinks:8", /takes the window and the sinks, then optionally the positions: sinks:W:S\[:absolute\|cache\]/],
    ["int8:fast", /the key scales: int8:token or int8:channel/],
    ["full:3", /takes no setting/],
    ["paged:0", /block_size must be an integer in \[1, 32\]/],
  ])("rejects %s with one line naming the valid range", (spec, message) => {
    expect(() => parseStrategy(spec, config)).toThrow(ConfigError);
    expect(() => parseStrategy(spec, config)).toThrow(message);
  });
});

describe("evaluate", () => {
  const model = TinyLM.init(config, { seed: 3 });
  const plan: EvalPlan = { ...evalPlan(model), texts: 2, prompts: 2, probes: 4, decodeSteps: 2 };
  const labels = ["none", "full", "paged", "paged:5", "int8", "int8:channel", "sliding-window:4", "sinks:8:2"];

  it("gives none, full and paged the same perplexity and generations, int8 nearly, a small window not", async () => {
    const report = await evaluate(model, labels.map((s) => parseStrategy(s, config)), { plan });
    expect(report.complete).toBe(true);
    const by = Object.fromEntries(report.results.map((r) => [r.label, r]));
    for (const exact of ["none", "paged", "paged:5"]) {
      expect(by[exact]!.perplexity).toBe(by["full"]!.perplexity);
      expect(by[exact]!.meanKL).toBe(0);
      expect(by[exact]!.agreement).toBe(1);
      expect(by[exact]!.firstDivergence).toBeNull();
    }
    for (const q of ["int8", "int8:channel"]) {
      expect(Math.abs(by[q]!.perplexity / by["full"]!.perplexity - 1)).toBeLessThan(1e-3);
      expect(by[q]!.meanKL).toBeGreaterThan(0);
      expect(by[q]!.meanKL).toBeLessThan(1e-3);
    }
    expect(by["sliding-window:4"]!.meanKL).toBeGreaterThan(1e-3);
    expect(by["sliding-window:4"]!.nllByPosition).toHaveLength(plan.textLength - 1);
    // bytes: full holds 31 positions of a 32-position allocation; int8 ~ (d + 4) / (4d) of it; a window of 4 holds 4
    const perPosition = 2 * config.nLayers * config.dModel * 4;
    expect(by["full"]!.allocatedBytes).toBe(32 * perPosition);
    expect(by["full"]!.heldPositions).toBe(31);
    expect(by["int8"]!.allocatedBytes / by["full"]!.allocatedBytes).toBeCloseTo((config.dModel + 4) / (4 * config.dModel), 10);
    expect(by["sliding-window:4"]!.heldPositions).toBe(4);
    expect(by["none"]!.allocatedBytes).toBe(0);
  });

  it("stops between units when its signal aborts and returns what finished", async () => {
    const controller = new AbortController();
    const report = await evaluate(model, ["full", "paged", "int8"].map((s) => parseStrategy(s, config)), {
      plan, signal: controller.signal, onResult: () => controller.abort(),
    });
    expect(report.complete).toBe(false);
    expect(report.results.map((r) => r.label)).toEqual(["full"]);
  });
});

describe("attentionMass", () => {
  it("measures uniform attention as uniform, and a layer that only looks at position 0 as a sink", () => {
    const model = TinyLM.init(config, { seed: 1, std: 0 }); // all-zero weights: every score equal, attention uniform
    const layers = attentionMass(model, 2, 16);
    for (const l of layers) {
      l.mass.forEach((m, p) => expect(m).toBeCloseTo(l.uniform[p]!, 6));
      expect(isSink(l)).toBe(false);
    }
    expect(isSink({ layer: 0, mass: [0.6, 0, 0, 0], uniform: [0.02, 0.02, 0.02, 0.02] })).toBe(true);
    expect(isSink({ layer: 0, mass: [0.3, 0, 0, 0], uniform: [0.1, 0.1, 0.1, 0.1] })).toBe(false); // not 5x uniform
  });
});
