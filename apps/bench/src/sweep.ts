// The benchmark plan and its execution: warm-up, then the none/full sweep (per repeat one long run each,
// read at every n and, for plot 5, continued to the end of the context; then a separate run of exactly
// checkTokens tokens each, to show the long runs' clock gives the same totals), then the other cache
// strategies, `full` among them again (full, paged, …, int8, full, paged, …), so the strategy comparison
// comes from runs interleaved in one process. Runs are interleaved throughout (none, full, none, …) so slow
// drift of the machine affects every strategy alike.
import { encode, type CacheOptions, type TinyLM } from "@tinylm/model";
import { timeRun, type TimedRun } from "./measure.js";
import type { PositionSeries, SeparateRun, SeparateRunCheck, StrategyPoint, SweepSeries } from "./results.js";
import { median, spread } from "./stats.js";

/** How much longer than max(tokens) the long runs may go to reach the end of the context (1.1: 10% more tokens). */
export const POSITION_RUN_SLACK = 1.1;

export interface BenchPlan {
  readonly prompt: string;
  readonly tokens: readonly number[]; // ascending, the sweep's n values
  readonly positionTokens: number; // tokens of each long none/full run, >= max(tokens) (positionRunLength)
  readonly checkTokens: number; // n of the separate none/full runs that check the long runs' clock (checkLength)
  readonly repeats: number;
  readonly warmupTokens: number;
  readonly strategyLengths: readonly number[]; // ascending, each <= max(tokens)
  readonly kinds: readonly string[]; // every cache strategy (CACHE_KINDS)
  readonly cacheOptions: CacheOptions;
}

export type Phase = "warm-up" | "sweep" | "check" | "strategies";

/** One generation the bench will run. */
export interface RunSpec {
  readonly phase: Phase;
  readonly kind: string;
  readonly tokens: number;
  readonly repeat: number; // 0-based (0 for warm-up)
}

export interface SweepHooks {
  readonly onRunStart?: (run: RunSpec, index: number, total: number) => void;
  /** After each generated token (token `index` of run number `runIndex` in planRuns' order), outside the measured time. */
  readonly onToken?: (run: RunSpec, runIndex: number, index: number) => void;
}

export interface SweepOutput {
  readonly sweep: { readonly n: number[]; readonly none: SweepSeries; readonly full: SweepSeries };
  readonly positions: { readonly none: PositionSeries; readonly full: PositionSeries };
  readonly strategies: StrategyPoint[];
  readonly separateRuns: SeparateRunCheck;
  readonly sameTokens: boolean;
  readonly sampleText: string;
}

/** The strategies measured in the interleaved comparison; `none` (minutes at large n) reuses the sweep's runs. */
export const extraKinds = (kinds: readonly string[]): string[] => kinds.filter((k) => k !== "none");

/**
 * Tokens of the long none/full runs: to the end of the context (context_length − prompt, so plot 5 covers
 * every position) when that is at most POSITION_RUN_SLACK × maxN, else maxN (so --quick, or a long
 * --context-length, stays fast). positionRunLength(1000, 3, 1024) -> 1021; positionRunLength(100, 3, 1024) -> 100
 */
export function positionRunLength(maxN: number, promptTokens: number, contextLength: number): number {
  const toEnd = contextLength - promptTokens;
  return toEnd >= maxN && toEnd <= POSITION_RUN_SLACK * maxN ? toEnd : maxN;
}

/** n of the separate check runs: the first sweep n >= max/2 (a mid n keeps the extra none run cheap). [10, …, 1000] -> 500 */
export function checkLength(tokens: readonly number[]): number {
  const max = tokens[tokens.length - 1]!;
  return tokens.find((n) => n >= max / 2) ?? max;
}

/** Every run, in the order runSweep performs them. */
export function planRuns(plan: BenchPlan): RunSpec[] {
  const runs: RunSpec[] = plan.kinds.map((kind) => ({ phase: "warm-up" as const, kind, tokens: plan.warmupTokens, repeat: 0 }));
  for (let repeat = 0; repeat < plan.repeats; repeat++) {
    for (const kind of ["none", "full"]) runs.push({ phase: "sweep", kind, tokens: plan.positionTokens, repeat });
    for (const kind of ["none", "full"]) runs.push({ phase: "check", kind, tokens: plan.checkTokens, repeat });
  }
  const maxL = Math.max(...plan.strategyLengths);
  for (let repeat = 0; repeat < plan.repeats; repeat++) {
    for (const kind of extraKinds(plan.kinds)) runs.push({ phase: "strategies", kind, tokens: maxL, repeat });
  }
  return runs;
}

// ---- reducing repeated runs ----

function sweepSeries(runs: readonly TimedRun[], ns: readonly number[]): SweepSeries {
  const samplesMs = runs.map((run) => ns.map((n) => run.elapsedMs[n - 1]!)); // [repeats][N]
  const perN = ns.map((_, j) => spread(samplesMs.map((s) => s[j]!)));
  return { medianMs: perN.map((p) => p.median), minMs: perN.map((p) => p.min), maxMs: perN.map((p) => p.max), samplesMs };
}

/** Decode steps only (token index >= 1; index 0 is the prefill), median over repeats at each position. */
function positionSeries(runs: readonly TimedRun[]): PositionSeries {
  const first = runs[0]!;
  const idx = first.positions.map((_, i) => i).slice(1);
  return { position: idx.map((i) => first.positions[i]!), medianMs: idx.map((i) => median(runs.map((r) => r.stepMs[i]!))) };
}

function strategyPoints(kind: string, runs: readonly TimedRun[], lengths: readonly number[]): StrategyPoint[] {
  const first = runs[0]!;
  return lengths.map((length) => ({
    kind,
    length,
    capacity: Number.isFinite(first.capacity) ? first.capacity : null,
    msPerToken: spread(runs.map((r) => r.elapsedMs[length - 1]! / length)),
    stepMs: median(runs.map((r) => median(r.stepMs.slice(Math.max(1, length - 10), length)))),
    bytes: first.bytes[length - 1]!,
  }));
}

/** The long runs' clock at n against separate n-token runs. */
function separateRun(long: readonly TimedRun[], separate: readonly TimedRun[], n: number): SeparateRun {
  return {
    longRunMs: median(long.map((r) => r.elapsedMs[n - 1]!)),
    separateMs: spread(separate.map((r) => r.elapsedMs[n - 1]!)),
    sameTokens: separate.every((s) => long.every((l) => s.ids.join() === l.ids.slice(0, n).join())),
  };
}

// ---- running ----

/** Runs the plan on `model` and reduces it to the report's numbers. Synchronous: minutes for the full plan. */
export function runSweep(model: TinyLM, plan: BenchPlan, hooks: SweepHooks = {}): SweepOutput {
  const specs = planRuns(plan);
  const done = new Map<string, TimedRun[]>(); // "phase kind" -> repeats
  specs.forEach((spec, i) => {
    hooks.onRunStart?.(spec, i, specs.length);
    const run = timeRun(model, plan.prompt, spec.kind, spec.tokens, {
      cacheOptions: plan.cacheOptions,
      onToken: hooks.onToken && ((event) => hooks.onToken!(spec, i, event.index)),
    });
    const key = `${spec.phase} ${spec.kind}`;
    done.set(key, [...(done.get(key) ?? []), run]);
  });
  const none = done.get("sweep none")!, full = done.get("sweep full")!;
  const ns = [...plan.tokens];
  const strategies = plan.kinds.flatMap((kind) => {
    const runs = kind === "none" ? done.get("sweep none")! : done.get(`strategies ${kind}`)!;
    return strategyPoints(kind, runs, plan.strategyLengths);
  });
  const promptWords = encode(plan.prompt).length;
  const words = full[0]!.text.split(" ");
  return {
    sweep: { n: ns, none: sweepSeries(none, ns), full: sweepSeries(full, ns) },
    positions: { none: positionSeries(none), full: positionSeries(full) },
    strategies,
    separateRuns: {
      n: plan.checkTokens,
      none: separateRun(none, done.get("check none")!, plan.checkTokens),
      full: separateRun(full, done.get("check full")!, plan.checkTokens),
    },
    sameTokens: none.every((r) => r.ids.join() === full[0]!.ids.join()) && full.every((r) => r.ids.join() === full[0]!.ids.join()),
    sampleText: words.slice(0, promptWords + 12).join(" ") + (words.length > promptWords + 12 ? " …" : ""),
  };
}

/** How the clock ran, in words, for settings.timing and the report. */
export function describeTiming(plan: BenchPlan, promptTokens: number, contextLength: number): string {
  const maxN = Math.max(...plan.tokens);
  const toEnd = contextLength - promptTokens;
  const extent = plan.positionTokens >= toEnd
    ? `${plan.positionTokens > maxN ? "continued to" : "of"} ${plan.positionTokens} tokens, to the last position of the context (context_length ${contextLength} − ${promptTokens} prompt tokens), for the per-step times of plot 5`
    : `of ${maxN} tokens (going on to the end of the context, ${toEnd} tokens, would cost more than ${Math.round((POSITION_RUN_SLACK - 1) * 100)}% more tokens, so plot 5 stops at position ${promptTokens + maxN - 1})`;
  return `For each of none and full, each repeat is one long generation ${extent}; the total time for every n of the sweep is read from that run, ` +
    `at the moment its n-th token came out (the first n tokens are exactly those of a separate n-token run: greedy decoding). ` +
    `To check that reading, each repeat also times a separate run of exactly n = ${plan.checkTokens} tokens with each (compared below). ` +
    "Clock: Node's process.hrtime.bigint(), from just before the first prompt token is fed to the moment the last token is chosen, prefill included. " +
    "The cache is allocated, and a full garbage collection is run, before the clock starts (so one run's garbage is not collected on the next one's time); " +
    "the bench's own per-token bookkeeping (and progress display) is timed and subtracted.";
}
