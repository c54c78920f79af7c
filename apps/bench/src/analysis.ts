// Everything the report derives from the raw results: the cost model's counts for this run, the one
// fitted time per multiply-add, the power-law fits and the speedups. Pure: results in, numbers out.
import { configFromJson, type ModelConfig } from "@tinylm/model";
import {
  type AttentionCount, attentionCrossover, attentionMacsPerPair, generationMacs, localExponent, speedupSlopes, stepMacs, weightMacsPerToken,
} from "./cost-model.js";
import { fitPowerLaw, fitScale, fitStepCost, type PowerLaw } from "./fit.js";
import type { BenchResults } from "./results.js";

export interface Analysis {
  readonly config: ModelConfig;
  readonly n: number[];
  readonly last: number; // index of the largest n
  readonly weightMacs: ReturnType<typeof weightMacsPerToken>;
  readonly pairMacs: number; // 2·d·L
  readonly crossover: number; // position where attention costs as much as the weights
  readonly slopes: { readonly weights: number; readonly attention: number }; // speedup / n in the two regimes
  readonly count: AttentionCount;
  /** Multiply-adds to generate each n, attention counted as the kernels that ran compute it. */
  readonly macs: { readonly none: number[]; readonly full: number[] };
  /**
   * The cost model in time: time ≈ msPerStep·steps + msPerMac·MACs, two constants shared by both series and
   * fitted on all their points at once (least squares on the relative error, fit.ts fitStepCost).
   */
  readonly msPerMac: number;
  readonly msPerStep: number;
  /** msPerStep·n + msPerMac·MACs for each n. */
  readonly predictedMs: { readonly none: number[]; readonly full: number[] };
  /** Largest |predicted / measured − 1| over each series' points. */
  readonly fitError: { readonly none: number; readonly full: number };
  readonly fits: { readonly none: PowerLaw; readonly full: PowerLaw };
  /** d ln MACs / d ln n of the cost model at the smallest and largest n. */
  readonly modelSlopes: { readonly none: [number, number]; readonly full: [number, number] };
  readonly speedup: {
    readonly measured: number[]; // median none / median full
    readonly low: number[]; // min none / max full
    readonly high: number[]; // max none / min full
    readonly predicted: number[]; // MACs none / MACs full: no fitted parameter
    readonly modelled: number[]; // predictedMs none / predictedMs full: with the fitted per-step cost
  };
  /** Measured time per multiply-add of each series at each n, ns. */
  readonly nsPerMac: { readonly none: number[]; readonly full: number[] };
  /** Predicted decode-step times at the measured positions (msPerStep + msPerMac × stepMacs). */
  readonly positionsPredictedMs: { readonly none: number[]; readonly full: number[] };
  /** Largest (max − min) / median over the sweep's points, per series: how well the repeats agreed. */
  readonly spreadRatio: { readonly none: number; readonly full: number };
}

/** The cost model's local exponent d ln MACs / d ln n at n (central difference over n ± 1). */
function slopeAt(config: ModelConfig, kind: "none" | "cache", p: number, at: number, count: AttentionCount): number {
  const xs = at > 1 ? [at - 1, at + 1] : [1, 2];
  const fs = generationMacs(config, kind, p, xs, count);
  return localExponent(xs, fs, 0);
}

const ratio = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x / b[i]!);

/** Derives the report's numbers from `results`. */
export function analyze(results: BenchResults): Analysis {
  const config = configFromJson(results.config);
  const p = results.settings.promptTokens;
  const { n, none, full } = results.sweep;
  const count = results.settings.attentionCount;
  const macs = { none: generationMacs(config, "none", p, n, count), full: generationMacs(config, "cache", p, n, count) };
  const fit = fitStepCost([...n, ...n], [...macs.none, ...macs.full], [...none.medianMs, ...full.medianMs]);
  const msPerMac = fit.perOp > 0 ? fit.perOp : fitScale([...macs.none, ...macs.full], [...none.medianMs, ...full.medianMs]);
  const msPerStep = fit.perOp > 0 ? fit.perStep : 0;
  const predictedMs = {
    none: n.map((x, i) => msPerStep * x + msPerMac * macs.none[i]!),
    full: n.map((x, i) => msPerStep * x + msPerMac * macs.full[i]!),
  };
  const worst = (pred: readonly number[], meas: readonly number[]) => Math.max(...pred.map((v, i) => Math.abs(v / meas[i]! - 1)));
  const stepPredicted = (kind: "none" | "cache", positions: readonly number[]) =>
    positions.map((pos) => msPerStep + msPerMac * stepMacs(config, kind, p, pos - p, count));
  const last = n.length - 1;
  const slopes = speedupSlopes(count);
  const spreadOf = (s: typeof none) => Math.max(...s.medianMs.map((m, i) => (s.maxMs[i]! - s.minMs[i]!) / m));
  return {
    config,
    n,
    last,
    weightMacs: weightMacsPerToken(config),
    pairMacs: attentionMacsPerPair(config),
    crossover: attentionCrossover(config),
    slopes,
    count,
    macs,
    msPerMac,
    msPerStep,
    predictedMs,
    fitError: { none: worst(predictedMs.none, none.medianMs), full: worst(predictedMs.full, full.medianMs) },
    fits: { none: fitPowerLaw(n, none.medianMs), full: fitPowerLaw(n, full.medianMs) },
    modelSlopes: {
      none: [slopeAt(config, "none", p, n[0]!, count), slopeAt(config, "none", p, n[last]!, count)],
      full: [slopeAt(config, "cache", p, n[0]!, count), slopeAt(config, "cache", p, n[last]!, count)],
    },
    speedup: {
      measured: ratio(none.medianMs, full.medianMs),
      low: ratio(none.minMs, full.maxMs),
      high: ratio(none.maxMs, full.minMs),
      predicted: ratio(macs.none, macs.full),
      modelled: ratio(predictedMs.none, predictedMs.full),
    },
    nsPerMac: { none: ratio(none.medianMs, macs.none).map((x) => x * 1e6), full: ratio(full.medianMs, macs.full).map((x) => x * 1e6) },
    positionsPredictedMs: {
      none: stepPredicted("none", results.positions.none.position),
      full: stepPredicted("cache", results.positions.full.position),
    },
    spreadRatio: { none: spreadOf(none), full: spreadOf(full) },
  };
}
