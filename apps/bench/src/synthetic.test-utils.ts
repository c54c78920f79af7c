// Small synthetic BenchResults for the report and explanation tests: numbers chosen so the expected text
// can be computed by hand (at n = 40, fastest repeats: 493.6 ms without the cache, 4 ms with it -> 123.4×).
// The repeats span `spread` (default 1.1: the slowest 10% above the fastest, within the noise threshold).
import { configToJson, makeConfig } from "@tinylm/model";
import type { AttentionCount } from "@tinylm/model";
import type { CpuCache } from "./machine.js";
import type { LayerMass, StrategyEval } from "@tinylm/model";
import type { SpeculativeResults } from "./speculative.js";
import type { QualityResults } from "./strategy-quality.js";
import { RESULTS_SCHEMA, type BenchResults, type LogitError, type SweepSeries } from "./results.js";

const series = (minMs: number[], spread: number): SweepSeries => {
  const medianMs = minMs.map((m) => m * (1 + spread) / 2), maxMs = minMs.map((m) => m * spread);
  return { medianMs, minMs, maxMs, samplesMs: [minMs, medianMs, maxMs] };
};

export interface SyntheticOverrides {
  attentionCount?: AttentionCount;
  sampleText?: string;
  caches?: CpuCache[];
  positionTokens?: number;
  int8Error?: LogitError | null;
  spread?: number; // slowest / fastest repeat at every point (default 1.1)
  repeats?: number;
  speculative?: SpeculativeResults | null;
}

export function syntheticResults(overrides: SyntheticOverrides = {}): BenchResults {
  const positions = [4, 5, 6, 7, 8];
  return {
    schema: RESULTS_SCHEMA,
    date: "2026-01-02T03:04:05.000Z",
    durationMs: 65_000,
    machine: { cpu: "Test CPU 9000", cpuId: "family 6 model 85, AVX-512", cores: 4, memoryGiB: 16, platform: "linux 6.1 x64", node: "v20.20.2", v8: "11.3",
      caches: overrides.caches ?? [{ level: 1, type: "Data", bytes: 32 * 1024 }, { level: 2, type: "Unified", bytes: 256 * 1024 }, { level: 3, type: "Unified", bytes: 8 * 1024 ** 2 }] },
    config: configToJson(makeConfig({ contextLength: 64 })),
    settings: {
      prompt: "the cat sat", promptTokens: 3, tokens: [10, 20, 40], positionTokens: overrides.positionTokens ?? 40, repeats: overrides.repeats ?? 3, warmupTokens: 10, quick: false, seed: 0, weights: null,
      strategyLengths: [10, 40], cacheOptions: {}, backend: "test", attentionCount: overrides.attentionCount ?? "dense", timing: "One run per repeat (synthetic).",
    },
    sweep: { n: [10, 20, 40], none: series([10, 40, 493.6], overrides.spread ?? 1.1), full: series([1, 2, 4], overrides.spread ?? 1.1) },
    positions: {
      none: { position: positions, medianMs: [1, 1.5, 2, 2.5, 3] },
      full: { position: positions, medianMs: [0.1, 0.1, 0.11, 0.11, 0.12] },
    },
    strategies: [
      { kind: "none", length: 10, capacity: null, msPerToken: { median: 1, min: 0.9, max: 1.2 }, stepMs: 1.5, bytes: { allocated: 0, used: 0 } },
      { kind: "none", length: 40, capacity: null, msPerToken: { median: 12.34, min: 12, max: 13 }, stepMs: 30, bytes: { allocated: 0, used: 0 } },
      { kind: "full", length: 10, capacity: 64, msPerToken: { median: 0.1, min: 0.09, max: 0.12 }, stepMs: 0.1, bytes: { allocated: 98_304, used: 19_968 } },
      { kind: "full", length: 40, capacity: 64, msPerToken: { median: 0.1, min: 0.09, max: 0.12 }, stepMs: 0.12, bytes: { allocated: 98_304, used: 64_512 } },
    ],
    separateRuns: {
      n: 20,
      none: { longRunMs: 40, separateMs: { median: 38, min: 37, max: 41 }, sameTokens: true }, // +5.26%
      full: { longRunMs: 2, separateMs: { median: 2.05, min: 2, max: 2.2 }, sameTokens: true }, // −2.44%
    },
    int8Error: overrides.int8Error === undefined ? { kind: "int8", steps: 40, maxAbs: 0.0123, rms: 0.00234, maxAbsLogit: 1.5 } : overrides.int8Error,
    quality: syntheticQuality(),
    speculative: overrides.speculative === undefined ? syntheticSpeculative("loses") : overrides.speculative,
    sameTokens: true,
    sampleText: overrides.sampleText ?? "the cat sat on the mat …",
  };
}

/** A small strategy-quality section: five strategies over 20-word texts, attention mass for 3 layers. */
export function syntheticQuality(): QualityResults {
  const nll = (base: number, drift: number): number[] => Array.from({ length: 19 }, (_, t) => base + drift * t);
  const point = (label: string, kind: string, kl: number, bytes: number, held: number, loss: number, drift: number): StrategyEval => ({
    label, kind, perplexity: Math.exp(loss + 9 * drift), meanKL: kl, nllByPosition: nll(loss, drift), agreement: kl === 0 ? 1 : 0.8, firstDivergence: kl === 0 ? null : 7,
    diverged: kl === 0 ? 0 : 2, grammatical: 0.95, farDependency: 0.2, allocatedBytes: bytes, heldPositions: held, bytesPerPosition: bytes / held, decodeMs: 0.05, decodeAt: 15,
  });
  const layer = (l: number, first: number): LayerMass => ({ layer: l, mass: [first, 0.05, 0.05, 0.05], uniform: [0.02, 0.02, 0.02, 0.02] });
  return {
    model: "test",
    plan: { texts: 2, textLength: 20, prompts: 2, continuation: 17, probes: 4, gap: 16, decodeAt: 15, decodeSteps: 2 },
    strategies: [
      point("full", "full", 0, 30_720, 19, 1.2, 0),
      point("paged", "paged", 0, 30_720, 19, 1.2, 0),
      point("int8", "int8", 1e-4, 8_160, 19, 1.2, 0.001),
      point("sliding-window:64", "sliding-window", 0.5, 6_144, 4, 1.4, 0.02),
      point("sliding-window:64:cache", "sliding-window", 0.6, 6_144, 4, 1.3, 0.005),
    ],
    mass: { model: [layer(0, 0.5), layer(1, 0.06), layer(2, 0.06)], random: [layer(0, 0.06), layer(1, 0.06), layer(2, 0.06)] },
  };
}

/**
 * A speculative section for k = 1, 2, 3 (100 tokens, 3 rounds, plain runs 4 ms each; passes: target 0.04 ms,
 * draft 0.01 ms, so c = 0.25):
 * - "loses": α = 30%, a pass over k + 1 tokens costs 1.5, 2, 2.5 single passes, every round slower
 *   (k: 8 + k, 7 + k, 6 + k ms; k = 1: 0.444×, 0.5×, 0.571×);
 * - "wins": α = 90%, passes over k + 1 tokens cost 1, 1.05, 1.1, every round faster (k = 1: 3, 2.5, 2.8 ms);
 * - "noise": as "wins", but k = 1's rounds took 3, 5, 4.2 ms (1.33×, 0.8×, 0.952×: both sides of 1×).
 */
export function syntheticSpeculative(outcome: "loses" | "wins" | "noise"): SpeculativeResults {
  const wins = outcome !== "loses";
  const alpha = wins ? 0.9 : 0.3;
  const costs = wins ? [1, 1.05, 1.1] : [1.5, 2, 2.5];
  const roundMs = (k: number): number[] => (outcome === "loses" ? [8, 7, 6].map((x) => x + k) : outcome === "noise" && k === 1 ? [3, 5, 4.2] : [3, 2.5, 2.8]);
  const kept = (k: number): number => Array.from({ length: k }, (_, i) => alpha ** (i + 1)).reduce((a, b) => a + b, 0); // proposals kept per round
  return {
    target: "long", draft: "draft",
    targetConfig: configToJson(makeConfig({ contextLength: 128 })), draftConfig: configToJson(makeConfig({ contextLength: 128, nLayers: 1 })),
    prompt: "the cat sat", promptTokens: 3, tokens: 100, rounds: 3, position: 53, passRounds: 2, passReps: 4,
    targetPassMs: [0.04, 0.04], draftPassMs: [0.01, 0.01],
    points: [1, 2, 3].map((k) => ({
      k, plainMs: [4, 4, 4], ms: roundMs(k),
      accepted: Math.round(1000 * kept(k)), proposed: 1000 * k, targetPasses: Math.round(100 / (1 + kept(k))),
      sampled: { accepted: Math.round(1000 * Math.min(1, kept(k) + 0.3)), proposed: 1000 * k },
      passMs: [0.04 * costs[k - 1]!, 0.04 * costs[k - 1]!], sameTokens: true,
    })),
  };
}
