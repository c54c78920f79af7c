// Everything the report derives from the raw results: the cost model's counts for this run, the statistic
// kept per point and how far the repeats disagreed, the fitted cost constants, the power laws measured and
// counted, and the speedups. Pure: results in, numbers out.
import {
  type AttentionCount, attentionCrossover, attentionMacsPerPair, configFromJson, generationMacs, type ModelConfig, speedupSlopes, stepMacs, weightMacsPerToken,
} from "@tinylm/model";
import { fitPowerLaw, fitRunCost, type PowerLaw } from "./fit.js";
import type { BenchResults, SweepSeries } from "./results.js";
import { median } from "./stats.js";

/**
 * Repeats of one point disagree when the slowest took more than this fraction longer than the fastest.
 * 20%: well above what an idle machine shows for runs of a few ms or more, well below what a second busy
 * program on a 2-core machine causes.
 */
export const NOISE_THRESHOLD = 0.2;

export interface Noise {
  readonly repeats: number;
  readonly threshold: number;
  /** max / min − 1 at each n, per series. */
  readonly spread: { readonly none: number[]; readonly full: number[] };
  /** Points (over both series) whose repeats disagreed beyond the threshold, and the worst one. */
  readonly disagreeing: number;
  readonly points: number;
  readonly worst: { readonly kind: "none" | "full"; readonly n: number; readonly spread: number };
  /** True when any point disagreed beyond the threshold. */
  readonly noisy: boolean;
}

export interface Analysis {
  readonly config: ModelConfig;
  readonly n: number[];
  readonly last: number; // index of the largest n
  readonly weightMacs: ReturnType<typeof weightMacsPerToken>;
  readonly pairMacs: number; // 2·d·L
  readonly crossover: number; // W / 2dL: attention = weights in a cached step; K/V = weight matrices in size
  readonly slopes: { readonly weights: number; readonly attention: number }; // R(n) / n in the two regimes
  readonly count: AttentionCount;
  /** Multiply-adds to generate each n, attention counted as the kernels that ran compute it. */
  readonly macs: { readonly none: number[]; readonly full: number[] };
  /** The time kept for each point: the fastest of the repeats (load only ever adds time). */
  readonly time: { readonly none: number[]; readonly full: number[] };
  readonly noise: Noise;
  /**
   * The cost model in time: time ≈ msPerRun + msPerStep·n + msPerMac·MACs, three constants shared by both
   * series and fitted on all their points at once (least squares on the relative error, every term >= 0).
   */
  readonly msPerRun: number;
  readonly msPerStep: number;
  readonly msPerMac: number;
  readonly predictedMs: { readonly none: number[]; readonly full: number[] };
  /** Largest |predicted / measured − 1| over each series' points. */
  readonly fitError: { readonly none: number; readonly full: number };
  /** Power laws through the measured times, and through the cost model's MACs at the same n. */
  readonly fits: { readonly none: PowerLaw; readonly full: PowerLaw };
  readonly modelFits: { readonly none: PowerLaw; readonly full: PowerLaw };
  readonly speedup: {
    readonly measured: number[]; // fastest none / fastest full
    readonly low: number[]; // min none / max full: the least favourable pairing of repeats
    readonly high: number[]; // max none / min full
    readonly predicted: number[]; // MACs none / MACs full: no fitted parameter
    readonly modelled: number[]; // predictedMs none / predictedMs full: with the fitted constants
  };
  /** Measured time per multiply-add of each series at each n, ns. */
  readonly nsPerMac: { readonly none: number[]; readonly full: number[] };
  /** Predicted decode-step times at the measured positions (msPerStep + msPerMac × stepMacs). */
  readonly positionsPredictedMs: { readonly none: number[]; readonly full: number[] };
  /** Typical decode step of each series: the median step at the first positions (the very first, cold, left out) and the last. */
  readonly steadyStepMs: { readonly none: { readonly early: number; readonly late: number }; readonly full: { readonly early: number; readonly late: number } };
}

const ratio = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x / b[i]!);
const spreadOf = (s: SweepSeries): number[] => s.minMs.map((m, i) => s.maxMs[i]! / m - 1);

function noiseOf(results: BenchResults): Noise {
  const { n, none, full } = results.sweep;
  const spread = { none: spreadOf(none), full: spreadOf(full) };
  const all = (["none", "full"] as const).flatMap((kind) => spread[kind].map((s, i) => ({ kind, n: n[i]!, spread: s })));
  const worst = all.reduce((w, p) => (p.spread > w.spread ? p : w));
  const disagreeing = all.filter((p) => p.spread > NOISE_THRESHOLD).length;
  return { repeats: results.settings.repeats, threshold: NOISE_THRESHOLD, spread, disagreeing, points: all.length, worst, noisy: disagreeing > 0 };
}

/** Median step time over positions [from, to) of a position series' steps (by index). */
const stepMedian = (ms: readonly number[], from: number, to: number): number => median(ms.slice(Math.max(0, from), Math.max(from + 1, to)));

/** Derives the report's numbers from `results`. */
export function analyze(results: BenchResults): Analysis {
  const config = configFromJson(results.config);
  const p = results.settings.promptTokens;
  const { n, none, full } = results.sweep;
  const count = results.settings.attentionCount;
  const macs = { none: generationMacs(config, "none", p, n, count), full: generationMacs(config, "cache", p, n, count) };
  const time = { none: [...none.minMs], full: [...full.minMs] };
  const fit = fitRunCost([...n, ...n], [...macs.none, ...macs.full], [...time.none, ...time.full]);
  const predict = (kind: "none" | "full") => n.map((x, i) => fit.perRun + fit.perStep * x + fit.perOp * macs[kind][i]!);
  const predictedMs = { none: predict("none"), full: predict("full") };
  const worst = (pred: readonly number[], meas: readonly number[]) => Math.max(...pred.map((v, i) => Math.abs(v / meas[i]! - 1)));
  const stepPredicted = (kind: "none" | "cache", positions: readonly number[]) =>
    positions.map((pos) => fit.perStep + fit.perOp * stepMacs(config, kind, p, pos - p, count));
  const steady = (ms: readonly number[]) => ({ early: stepMedian(ms, 1, 11), late: stepMedian(ms, ms.length - 10, ms.length) });
  const last = n.length - 1;
  const modelFit = (m: readonly number[]) => fitPowerLaw(n, m);
  return {
    config,
    n,
    last,
    weightMacs: weightMacsPerToken(config),
    pairMacs: attentionMacsPerPair(config),
    crossover: attentionCrossover(config),
    slopes: speedupSlopes(count),
    count,
    macs,
    time,
    noise: noiseOf(results),
    msPerRun: fit.perRun,
    msPerStep: fit.perStep,
    msPerMac: fit.perOp,
    predictedMs,
    fitError: { none: worst(predictedMs.none, time.none), full: worst(predictedMs.full, time.full) },
    fits: { none: fitPowerLaw(n, time.none), full: fitPowerLaw(n, time.full) },
    modelFits: { none: modelFit(macs.none), full: modelFit(macs.full) },
    speedup: {
      measured: ratio(time.none, time.full),
      low: ratio(none.minMs, full.maxMs),
      high: ratio(none.maxMs, full.minMs),
      predicted: ratio(macs.none, macs.full),
      modelled: ratio(predictedMs.none, predictedMs.full),
    },
    nsPerMac: { none: ratio(time.none, macs.none).map((x) => x * 1e6), full: ratio(time.full, macs.full).map((x) => x * 1e6) },
    positionsPredictedMs: {
      none: stepPredicted("none", results.positions.none.position),
      full: stepPredicted("cache", results.positions.full.position),
    },
    steadyStepMs: { none: steady(results.positions.none.medianMs), full: steady(results.positions.full.medianMs) },
  };
}
