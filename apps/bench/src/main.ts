#!/usr/bin/env node
// `pnpm bench`: measures generation with and without the KV cache (and every other cache strategy), then
// writes bench-report/index.html and results.json. Progress goes to stderr, the result line to stdout.
import { CACHE_KINDS, ConfigError, ContextError, VocabularyError, WeightsError, configToJson, createCache, encode, makeConfig, TinyLM } from "@tinylm/model";
import { isBundledModel, loadModelOrBundled } from "@tinylm/model/node";
import { BackendError, backendInfo, setBackend } from "@tinylm/tensor";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { analyze } from "./analysis.js";
import { defaultStrategyLengths, parseBenchArgs, USAGE, type BenchOptions } from "./args.js";
import { UsageError } from "./errors.js";
import { summaryLine } from "./explain.js";
import { describeMachine } from "./machine.js";
import { Progress, stepWork } from "./progress.js";
import { buildReport } from "./report.js";
import { measureQuality } from "./strategy-quality.js";
import { bundledPair, measureSpeculation } from "./speculative.js";
import { RESULTS_SCHEMA, type BenchResults } from "./results.js";
import { logitError } from "./int8-error.js";
import { checkLength, describeTiming, planRuns, positionRunLength, runSweep, type BenchPlan } from "./sweep.js";
import { readPlotly, writeReport } from "./write-report.js";

export const DEFAULT_CONTEXT_LENGTH = 1024;

function loadBenchModel(o: BenchOptions): TinyLM {
  if (o.weights === null) return TinyLM.init(makeConfig({ contextLength: o.contextLength ?? DEFAULT_CONTEXT_LENGTH }), { seed: o.seed });
  if (o.contextLength !== null) {
    throw new UsageError("bench: --context-length cannot be combined with --weights; the file's config sets the context length", "context-length");
  }
  return loadModelOrBundled(o.weights);
}

function makePlan(o: BenchOptions, model: TinyLM): BenchPlan {
  const p = encode(o.prompt).length;
  const maxN = o.tokens[o.tokens.length - 1]!;
  const C = model.config.contextLength;
  if (p + maxN > C) {
    const fix = o.weights === null || isBundledModel(o.weights) ? `Use --context-length ${p + maxN}` : "Use a model with a longer context"; // --context-length alone: seeded weights
    throw new UsageError(`bench: ${maxN} tokens after a ${p}-token prompt need context_length >= ${p + maxN}; got ${C}. ${fix} or a smaller largest --tokens.`, "tokens");
  }
  const strategyLengths = o.strategyLengths ?? defaultStrategyLengths(o.tokens);
  const tooLong = strategyLengths.find((L) => L > maxN);
  if (tooLong !== undefined) {
    throw new UsageError(`bench: --strategy-lengths ${tooLong} is longer than the sweep's largest n ${maxN}; expected lengths <= ${maxN}`, "strategy-lengths");
  }
  const cacheOptions = { window: o.window, sinks: o.sinks, blockSize: o.blockSize };
  for (const kind of CACHE_KINDS) createCache(kind, model.config, cacheOptions); // bad --window etc. fail now, not in minute 5
  return {
    prompt: o.prompt, tokens: o.tokens, positionTokens: positionRunLength(maxN, p, C), checkTokens: checkLength(o.tokens),
    repeats: o.repeats, warmupTokens: Math.min(maxN, 100), strategyLengths, kinds: CACHE_KINDS, cacheOptions,
  };
}

/** Reads a results.json written by an earlier run (its "analysis" is recomputed, so it is dropped). */
function readResults(path: string): BenchResults {
  let json: BenchResults & { analysis?: unknown };
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as BenchResults & { analysis?: unknown };
  } catch (e) {
    throw new UsageError(`bench: cannot read results from "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected a results.json written by pnpm bench`, "from");
  }
  if (json?.schema !== RESULTS_SCHEMA) throw new UsageError(`bench: "${path}" is not a bench results file; got schema ${JSON.stringify(json?.schema)}, expected "${RESULTS_SCHEMA}"`, "from");
  const { analysis: _, ...results } = json;
  return results;
}

/** Builds and writes the report; prints the summary and the paths. */
function publish(results: BenchResults, outDir: string): void {
  const analysis = analyze(results);
  const paths = writeReport(outDir, buildReport(results, readPlotly()), { ...results, analysis });
  process.stdout.write(`${summaryLine(results, analysis)}\nreport:  ${paths.html}\nresults: ${paths.json}\n`);
}

async function run(argv: readonly string[]): Promise<number> {
  const options = parseBenchArgs(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), options.out); // pnpm runs scripts from the root; INIT_CWD is where the user typed
  if (options.from !== null) {
    publish(readResults(resolve(process.env.INIT_CWD ?? process.cwd(), options.from)), outDir);
    return 0;
  }
  const started = performance.now();
  if (options.backend !== null) setBackend(options.backend);
  const backend = backendInfo().name;
  const model = loadBenchModel(options);
  const plan = makePlan(options, model);
  const promptTokens = encode(plan.prompt).length;
  const pair = options.skipSpeculative ? null : bundledPair(plan.prompt, options.speculativeTokens);
  readPlotly(); // fail before minutes of measuring if the bundle is missing

  // progress: the work of each run from the cost model
  const specs = planRuns(plan);
  const work = specs.map((s) => stepWork(model.config, promptTokens, s));
  const total = work.flat().reduce((a, b) => a + b, 0);
  const progress = new Progress(process.stderr, total, process.stderr.isTTY === true);
  process.stderr.write(`bench: ${backend} kernels, ${specs.length} runs (${plan.repeats} repeat(s), n up to ${Math.max(...plan.tokens)}, strategies: ${plan.kinds.join(", ")})${options.quick ? ", quick" : ""}\n`);
  const out = runSweep(model, plan, {
    onRunStart: (s, i, count) => progress.begin(`${s.phase} ${s.kind} to n=${s.tokens}${s.phase === "warm-up" ? "" : ` (repeat ${s.repeat + 1}/${plan.repeats})`} · run ${i + 1}/${count}`),
    onToken: (_s, runIndex, index) => progress.advance(work[runIndex]![index]!),
  });
  const maxL = Math.max(...plan.strategyLengths);
  progress.begin(`int8 logits against full over ${maxL} steps`);
  const int8Error = plan.kinds.includes("int8") ? logitError(model, plan.prompt, "int8", maxL, plan.cacheOptions) : null;
  progress.begin("what each strategy gives up: the eval library's measurements");
  const quality = options.skipQuality ? null : await measureQuality(model, options.weights ?? "random", options.quick, (message) => progress.begin(`strategy quality: ${message}`));
  const speculative = pair === null ? null : measureSpeculation(pair.target, pair.draft, {
    prompt: plan.prompt, tokens: options.speculativeTokens, rounds: options.speculativeRounds, names: pair.names,
    onProgress: (message) => progress.begin(`speculative decoding: ${message}`),
  });

  const results: BenchResults = {
    schema: RESULTS_SCHEMA,
    date: new Date().toISOString(),
    durationMs: performance.now() - started,
    machine: describeMachine(),
    config: configToJson(model.config),
    settings: {
      prompt: plan.prompt, promptTokens, tokens: [...plan.tokens], positionTokens: plan.positionTokens, repeats: plan.repeats, warmupTokens: plan.warmupTokens, quick: options.quick,
      seed: options.weights === null ? options.seed : null, weights: options.weights, strategyLengths: [...plan.strategyLengths],
      cacheOptions: JSON.parse(JSON.stringify(plan.cacheOptions)),
      timing: describeTiming(plan, promptTokens, model.config.contextLength),
      backend, attentionCount: backend === "wasm" ? "causal" : "dense",
    },
    ...out,
    int8Error,
    quality,
    speculative,
  };
  progress.end(`bench: measured in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  publish(results, outDir);
  return 0;
}

const USER_ERRORS = [UsageError, ConfigError, ContextError, VocabularyError, WeightsError, BackendError];

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (USER_ERRORS.some((E) => e instanceof E)) {
      const message = (e as Error).message;
      process.stderr.write(`${message.startsWith("bench:") ? message : `bench: ${message}`}\n`);
      process.exitCode = 2;
    } else {
      throw e;
    }
  },
);
