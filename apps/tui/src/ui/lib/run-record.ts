// What one generation looks like to the UI while it streams and after it ends: the words so far and
// the numbers of the status bar (tokens, speed, position, cache memory, per-token latencies).
import type { CacheBytes, GenerateResult, TokenEvent } from "@tinylm/model";

export const RECENT = 8; // tokens averaged for the status bar's "per token (last 8)"

export interface RunStats {
  readonly cache: string;
  readonly count: number; // tokens generated
  readonly computeMs: number; // sum of the forward passes that produced them
  readonly recentMs: number; // mean of the last few tokens (NaN before the first)
  readonly position: number; // sequence length so far (prompt + generated)
  readonly limit: number; // positions that fit (context length or the cache's limit)
  readonly cacheBytes: CacheBytes;
  readonly latencies: readonly number[]; // ms of every token after the first (the prefill), in order
}

export interface Run {
  readonly id: number;
  readonly prompt: readonly string[]; // prompt words, lower case
  readonly context?: readonly string[]; // the conversation's words before the prompt (positions 0..)
  readonly words: readonly string[]; // generated words
  readonly stats: RunStats;
}

export interface FinishedRun extends Run {
  readonly stopReason: GenerateResult["stopReason"];
  readonly stopMessage: string;
  readonly msPerToken: number; // median over the steps after the first
  readonly prefillMs: number;
  /** How tokens were chosen: "greedy", or the sampling knobs and the seed ("top-k 5, t 0.8, seed 3"). */
  readonly sampling?: string;
  /** What the kept cache saved this turn. */
  readonly reuse?: Reuse;
}

/** One turn of the conversation against the same turn through an empty cache. */
export interface Reuse {
  readonly reused: number; // prompt positions taken from the cache
  readonly positions: number; // the prompt's positions: the conversation so far and the new line
  readonly firstTokenMs: number;
  readonly firstTokenMsWithoutReuse: number;
}

/**
 * Decode speed: tokens per second of model time over the steps after the first (the first token comes
 * from the prefill, which processes the whole prompt and would blur `none` against `full` on short runs).
 * With only the first token, that token's rate. NaN before any token; UI time is never counted.
 */
export function tokensPerSecond(stats: RunStats): number {
  const decodeMs = stats.latencies.reduce((a, b) => a + b, 0);
  if (stats.latencies.length > 0 && decodeMs > 0) return stats.latencies.length / (decodeMs / 1000);
  return stats.count > 0 && stats.computeMs > 0 ? stats.count / (stats.computeMs / 1000) : NaN;
}

/** Collects token events of one generation; `snapshot()` gives an immutable Run for React state. */
export class RunRecorder {
  private readonly words: string[] = [];
  private readonly latencies: number[] = [];
  private readonly recent: number[] = [];
  private computeMs = 0;
  private position: number;
  private cacheBytes: CacheBytes;

  constructor(
    private readonly id: number,
    private readonly prompt: readonly string[],
    private readonly cache: string,
    private readonly limit: number,
    initialBytes: CacheBytes,
    private readonly context: readonly string[] = [], // the conversation's earlier words, before this run's prompt
  ) {
    this.position = context.length + prompt.length;
    this.cacheBytes = initialBytes;
  }

  readonly onToken = (event: TokenEvent): void => {
    this.words.push(event.word);
    this.computeMs += event.ms;
    if (event.index > 0) this.latencies.push(event.ms);
    this.recent.push(event.ms);
    if (this.recent.length > RECENT) this.recent.shift();
    this.position = event.position + 1;
    this.cacheBytes = event.cacheBytes;
  };

  snapshot(): Run {
    const recentMs = this.recent.length > 0 ? this.recent.reduce((a, b) => a + b, 0) / this.recent.length : NaN;
    return {
      id: this.id,
      prompt: this.prompt,
      context: this.context,
      words: [...this.words],
      stats: {
        cache: this.cache, count: this.words.length, computeMs: this.computeMs, recentMs, position: this.position,
        limit: this.limit, cacheBytes: this.cacheBytes, latencies: [...this.latencies],
      },
    };
  }

  finish(result: GenerateResult): FinishedRun {
    return {
      ...this.snapshot(),
      stopReason: result.stopReason, stopMessage: result.stopMessage, msPerToken: result.msPerToken, prefillMs: result.prefillMs,
    };
  }
}
