// The shape of a benchmark run, as written to results.json and inlined in the report. Raw numbers only:
// everything derived (fits, predictions, speedups) is recomputed from these by analyze().
import type { CacheBytes } from "@tinylm/model";
import type { AttentionCount } from "@tinylm/model";
import type { Machine } from "./machine.js";
import type { SpeculativeResults } from "./speculative.js";
import type { QualityResults } from "./strategy-quality.js";

export const RESULTS_SCHEMA = "tinylm-bench/2";

/** One point's repeats: the fastest (what the report keeps), the median and the slowest. */
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
  readonly msPerToken: Spread; // total time / length, over repeats (interleaved with the other strategies' runs)
  readonly stepMs: number; // median time of the last (up to 10) steps before `length`: the cost near position length
  readonly bytes: CacheBytes; // at `length`
}

/**
 * One n timed two ways, for one strategy: read off the long sweep runs' clock at n, and as separate runs of
 * exactly n tokens (one per repeat, interleaved with the long runs), so the report can show the two agree.
 */
export interface SeparateRun {
  readonly longRunMs: number; // median over repeats of the long runs' elapsed time at n (the sweep's median at n)
  readonly separateMs: Spread; // the separate n-token runs
  readonly sameTokens: boolean; // the separate runs generated the long runs' first n tokens
}

export interface SeparateRunCheck {
  readonly n: number;
  readonly none: SeparateRun;
  readonly full: SeparateRun;
}

/** Logit error of a lossy cache against `full`, teacher-forced on full's greedy tokens (int8-error.ts). */
export interface LogitError {
  readonly kind: string; // the lossy strategy, "int8"
  readonly steps: number; // logit rows compared: the prefill's last row, then one per decode step
  readonly maxAbs: number; // largest |logit(kind) − logit(full)| over every step and vocabulary entry
  readonly rms: number; // root mean square of the same differences
  readonly maxAbsLogit: number; // largest |logit(full)|, for scale
}

export interface BenchSettings {
  readonly prompt: string;
  readonly promptTokens: number;
  readonly tokens: number[]; // the sweep's n values, ascending
  /** Tokens each long none/full run generates: context_length − prompt (plot 5 reaches the end of the context), or max(tokens) when that would cost much more. */
  readonly positionTokens: number;
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
  /** The long runs' clock against separate runs at one n (issue: "gives the same numbers as separate runs"). */
  readonly separateRuns: SeparateRunCheck;
  /** int8's logits against full's over the largest strategy length (null when int8 was not measured). */
  readonly int8Error: LogitError | null;
  /** What each cache strategy gives up (eval library) and the attention on the first positions; absent in older results. */
  readonly quality?: QualityResults | null;
  /** Speculative decoding with the trained target and draft, k = 1…8; absent in older results. */
  readonly speculative?: SpeculativeResults | null;
  /** Did `none` and `full` generate the same greedy tokens (they must: the cache changes speed, not results)? */
  readonly sameTokens: boolean;
  readonly sampleText: string; // the prompt and the first generated words
}
