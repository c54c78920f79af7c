// The shape of a benchmark run, as written to results.json and inlined in the report. Raw numbers only:
// everything derived (fits, predictions, speedups) is recomputed from these by analyze().
import type { CacheBytes } from "@tinylm/model";
import type { AttentionCount } from "./cost-model.js";
import type { Machine } from "./machine.js";

export const RESULTS_SCHEMA = "tinylm-bench/1";

/** One point's repeats reduced to the median, with the spread kept for error bars. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Total generation time of the sweep for one strategy, one entry per requested n. */
export interface SweepSeries {
  readonly medianMs: number[]; // [N]
  readonly minMs: number[]; // [N]
  readonly maxMs: number[]; // [N]
  readonly samplesMs: number[][]; // [repeats][N], in the order they ran
}

/** The time of the forward pass that produced each token, against its position (median over repeats). */
export interface PositionSeries {
  readonly position: number[]; // absolute position of the generated token = keys the step attends to
  readonly medianMs: number[];
}

/** One cache strategy after `length` generated tokens. */
export interface StrategyPoint {
  readonly kind: string;
  readonly length: number;
  readonly capacity: number | null; // positions retained (null = unbounded)
  readonly msPerToken: Spread; // total time / length, over repeats
  readonly stepMs: number; // median time of the last (up to 10) steps before `length`: the cost near position length
  readonly bytes: CacheBytes; // at `length`
}

export interface BenchSettings {
  readonly prompt: string;
  readonly promptTokens: number;
  readonly tokens: number[]; // the sweep's n values, ascending
  readonly repeats: number;
  readonly warmupTokens: number;
  readonly quick: boolean;
  readonly seed: number | null; // weights seed (null when loaded from a file)
  readonly weights: string | null; // the weights file, if any
  readonly strategyLengths: number[];
  readonly cacheOptions: { readonly window?: number; readonly sinks?: number; readonly blockSize?: number };
  /** The kernels that ran (@tinylm/tensor's backendInfo().name: "wasm" or "js"). */
  readonly backend: string;
  /** Attention pairs the kernels compute: all of [T, S] ("dense", the JS kernels) or only the visible ones ("causal", wasm). */
  readonly attentionCount: AttentionCount;
  /** How the clock ran, in words (stated in the report too). */
  readonly timing: string;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly date: string; // ISO 8601
  readonly durationMs: number; // the whole benchmark, warm-up included
  readonly machine: Machine;
  readonly config: Record<string, number | string>; // the model's config, snake_case as in safetensors
  readonly settings: BenchSettings;
  readonly sweep: { readonly n: number[]; readonly none: SweepSeries; readonly full: SweepSeries };
  readonly positions: { readonly none: PositionSeries; readonly full: PositionSeries };
  readonly strategies: StrategyPoint[];
  /** Did `none` and `full` generate the same greedy tokens (they must: the cache changes speed, not results)? */
  readonly sameTokens: boolean;
  readonly sampleText: string; // the prompt and the first generated words
}
