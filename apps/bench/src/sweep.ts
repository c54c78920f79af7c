// The benchmark plan and its execution: warm-up, then the none/full sweep (one run to the largest n per
// repeat, read at every n), then the other cache strategies. Runs are interleaved (none, full, none, …)
// so slow drift of the machine affects both series alike.
import { encode, type CacheOptions, type TinyLM } from "@tinylm/model";
import { timeRun, type TimedRun } from "./measure.js";
import type { PositionSeries, StrategyPoint, SweepSeries } from "./results.js";
import { median, spread } from "./stats.js";

export interface BenchPlan {
  readonly prompt: string;
  readonly tokens: readonly number[]; // ascending, the sweep's n values
  readonly repeats: number;
  readonly warmupTokens: number;
  readonly strategyLengths: readonly number[]; // ascending, each <= max(tokens)
  readonly kinds: readonly string[]; // every cache strategy (CACHE_KINDS)
  readonly cacheOptions: CacheOptions;
}

export type Phase = "warm-up" | "sweep" | "strategies";

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
  readonly sameTokens: boolean;
  readonly sampleText: string;
}

/** The strategies measured beside the sweep; `none` and `full` reuse the sweep's runs. */
export const extraKinds = (kinds: readonly string[]): string[] => kinds.filter((k) => k !== "none" && k !== "full");

/** Every run, in the order runSweep performs them. */
export function planRuns(plan: BenchPlan): RunSpec[] {
  const maxN = Math.max(...plan.tokens);
  const runs: RunSpec[] = plan.kinds.map((kind) => ({ phase: "warm-up" as const, kind, tokens: plan.warmupTokens, repeat: 0 }));
  for (let repeat = 0; repeat < plan.repeats; repeat++) {
    for (const kind of ["none", "full"]) runs.push({ phase: "sweep", kind, tokens: maxN, repeat });
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
    const runs = kind === "none" || kind === "full" ? done.get(`sweep ${kind}`)! : done.get(`strategies ${kind}`)!;
    return strategyPoints(kind, runs, plan.strategyLengths);
  });
  const promptWords = encode(plan.prompt).length;
  const words = full[0]!.text.split(" ");
  return {
    sweep: { n: ns, none: sweepSeries(none, ns), full: sweepSeries(full, ns) },
    positions: { none: positionSeries(none), full: positionSeries(full) },
    strategies,
    sameTokens: none.every((r) => r.ids.join() === full[0]!.ids.join()) && full.every((r) => r.ids.join() === full[0]!.ids.join()),
    sampleText: words.slice(0, promptWords + 12).join(" ") + (words.length > promptWords + 12 ? " …" : ""),
  };
}
