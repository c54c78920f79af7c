// `tinylm eval`: what each cache strategy costs on a model — perplexity and KL from `full`, greedy agreement
// with `full`, grammar and far-dependency accuracy, allocated bytes, decode time — and whether the model
// formed an attention sink. A table on stdout (or --json); progress on stderr when it is a terminal; Ctrl+C
// prints the strategies finished so far and exits 130.
import {
  attentionMass, configToJson, defaultStrategies, evalPlan, evaluate, isSink, parseStrategy, SINK_SHARE, TinyLM,
  type EvalReport, type LayerMass, type StrategyEval,
} from "@tinylm/model";
import type { Command } from "commander";
import { Interrupted } from "./errors.js";
import type { Io } from "./io.js";
import { loadOrInitModel, modelWeightsOption, resolveWeights } from "./model-source.js";
import { configOptions, givenConfigFlags, integerArg, seedOption, type ConfigFlags } from "./options.js";

export interface EvalCommandOptions extends ConfigFlags {
  readonly weights?: string;
  readonly seed?: number;
  readonly strategies?: string;
  readonly texts?: number;
  readonly json?: boolean;
  readonly markdown?: boolean;
}

const kib = (b: number): string => (b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
const num = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/** The table of finished strategies, one row each. */
export function formatTable(results: readonly StrategyEval[]): string {
  const head = ["strategy", "perplexity", "KL from full", "agrees", "1st diff", "grammar", "far dep.", "allocated", "B/position", "decode ms"];
  const rows = results.map((r) => [
    r.label, num(r.perplexity, 4), r.meanKL === 0 ? "0" : r.meanKL.toExponential(2), num(r.agreement, 3),
    r.firstDivergence === null ? "never" : String(r.firstDivergence), num(r.grammatical, 3), num(r.farDependency, 3),
    kib(r.allocatedBytes), Number.isFinite(r.bytesPerPosition) ? r.bytesPerPosition.toFixed(0) : "–", num(r.decodeMs, 4),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

/** The table as Markdown (docs/kv-cache.md's strategy table is this output). */
export function formatMarkdown(results: readonly StrategyEval[]): string {
  const head = "| strategy | perplexity | KL from `full` | greedy words equal to `full`'s | first difference | grammatical | far dependency | bytes allocated | bytes per held position | decode ms/token |";
  const rows = results.map((r) => `| \`${r.label}\` | ${num(r.perplexity, 3)} | ${r.meanKL === 0 ? "0" : r.meanKL.toExponential(1)} | ${(100 * r.agreement).toFixed(1)}% | ` +
    `${r.firstDivergence === null ? "never" : `step ${r.firstDivergence}`} | ${(100 * r.grammatical).toFixed(1)}% | ${(100 * r.farDependency).toFixed(0)}% | ` +
    `${r.allocatedBytes.toLocaleString("en-US")} | ${Number.isFinite(r.bytesPerPosition) ? Math.round(r.bytesPerPosition).toLocaleString("en-US") : "–"} | ${num(r.decodeMs, 3)} |`);
  return [head, `|${"---|".repeat(10)}`, ...rows].join("\n") + "\n";
}

/** One line per layer: the share of attention on the first positions against uniform attention's. */
function formatMass(name: string, layers: readonly LayerMass[]): string {
  return layers.map((l) => {
    const m = l.mass.reduce((a, b) => a + b, 0), u = l.uniform.reduce((a, b) => a + b, 0);
    return `  ${name} layer ${l.layer}: ${(100 * m).toFixed(1)}% of attention on positions 0..${l.mass.length - 1} (uniform: ${(100 * u).toFixed(1)}%)${isSink(l) ? " — a sink" : ""}`;
  }).join("\n") + "\n";
}

const massJson = (layers: readonly LayerMass[]): object[] =>
  layers.map((l) => ({ layer: l.layer, mass: l.mass, uniform: l.uniform, sink: isSink(l) }));

function reportJson(report: EvalReport, trained: LayerMass[] | null, random: LayerMass[] | null, model: TinyLM, weights: string): string {
  return `${JSON.stringify({
    complete: report.complete,
    weights,
    config: configToJson(model.config),
    plan: report.plan,
    strategies: report.results.map((r) => ({
      label: r.label, kind: r.kind, perplexity: r.perplexity, mean_kl: r.meanKL, agreement: r.agreement,
      first_divergence: r.firstDivergence, diverged_prompts: r.diverged, grammatical_rate: r.grammatical, far_dependency_accuracy: r.farDependency,
      allocated_bytes: r.allocatedBytes, held_positions: r.heldPositions, bytes_per_position: Number.isFinite(r.bytesPerPosition) ? r.bytesPerPosition : null,
      decode_ms: r.decodeMs, decode_at: r.decodeAt, nll_by_position: r.nllByPosition,
    })),
    attention_mass: trained && random ? { sink_rule: `first positions >= ${SINK_SHARE} of attention and >= 5x uniform`, model: massJson(trained), random: massJson(random) } : null,
  })}\n`;
}

/** Runs the evaluation the options describe and prints it; stops early (exit 130) when `signal` aborts. */
export async function runEval(options: EvalCommandOptions, io: Io, signal?: AbortSignal): Promise<EvalReport> {
  const seed = options.seed ?? 0;
  const model = loadOrInitModel({ ...options, seed });
  const strategies = options.strategies === undefined
    ? defaultStrategies(model.config)
    : options.strategies.split(",").filter((s) => s.trim() !== "").map((s) => parseStrategy(s, model.config));
  const base = evalPlan(model);
  const plan = options.texts === undefined ? base : { ...base, texts: options.texts, prompts: options.texts };
  let drawn = false;
  const report = await evaluate(model, strategies, {
    plan,
    signal,
    onProgress: io.errIsTTY ? (message, done, total) => {
      drawn = true;
      io.err(`\r[${Math.min(done, total)}/${total}] ${message}\x1b[K`);
    } : undefined,
  });
  if (drawn) io.err("\r\x1b[K");
  const weights = resolveWeights(options) ?? "random";
  let trained: LayerMass[] | null = null, random: LayerMass[] | null = null;
  if (report.complete) {
    const length = Math.min(plan.textLength, 256);
    trained = attentionMass(model, plan.texts, length);
    random = attentionMass(TinyLM.init(model.config, { seed: 1 }), plan.texts, length);
  }
  if (options.json) io.out(reportJson(report, trained, random, model, weights));
  else if (options.markdown) io.out(formatMarkdown(report.results));
  else {
    io.out(`tinylm eval — weights ${weights}, ${model.config.positional} positions, context ${model.config.contextLength}; ` +
      `${plan.texts} texts of ${plan.textLength} words fed one at a time, ${plan.prompts} prompts continued ${plan.continuation} words greedily, ` +
      `${plan.probes} far-dependency probes (gap ${plan.gap}), decode timed at position ${plan.decodeAt}\n`);
    io.out(formatTable(report.results));
    if (trained && random) io.out(`attention on the first positions (mean over heads, texts and queries):\n${formatMass(weights, trained)}${formatMass("random", random)}`);
  }
  if (!report.complete) throw new Interrupted(`interrupted: ${report.results.length} of ${strategies.length} strategies finished (printed above)`);
  return report;
}

export function addEvalCommand(program: Command, io: Io): Command {
  const command = program
    .command("eval")
    .description("measure what each KV-cache strategy costs: quality against full, bytes, decode time")
    .addOption(modelWeightsOption())
    .addOption(seedOption("seed of the random weights (--weights random)"))
    .option("--strategies <list>", "comma-separated: none, full, paged[:B], int8[:token|channel], sliding-window:W[:cache], sinks:W:S[:cache] (:cache: positions within the cache) (default: all of them, windows 4..256)")
    .option("--texts <n>", "held-out texts and prompts per strategy (default: 20 at context 32, else 4)", integerArg(1, 1000));
  for (const option of configOptions()) command.addOption(option);
  return command
    .option("--json", "print one JSON object: every measurement, per-position losses, attention mass", false)
    .option("--markdown", "print the table as Markdown (as in docs/kv-cache.md)", false)
    .action(async (o: Omit<EvalCommandOptions, keyof ConfigFlags>, cmd: Command) => {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once("SIGINT", stop);
      try {
        await runEval({ ...o, ...givenConfigFlags(cmd) }, io, controller.signal);
      } finally {
        process.removeListener("SIGINT", stop);
      }
    });
}
