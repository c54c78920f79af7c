// `tinylm generate`: runs the library's generation loop on a prompt and prints the continuation, or with
// --json one object with the ids, the text, the timings (prefill apart from the decode steps) and the cache's memory.
import { Option, type Command } from "commander";
import {
  CACHE_KINDS, cachedStepFlops, checkText, configToJson, decode, DEFAULT_BLOCK_SIZE, DEFAULT_SINKS, defaultBlockSize, defaultWindow, generateSync, KEY_SCALES, MAX_CONTEXT_LENGTH,
  POSITION_SCHEMES, recomputeStepFlops, Sampler, type GenerateResult, type KeyScales, type ModelConfig, type PositionScheme, type SampleManyResult, type SamplingOptions,
  type SpeculateResult,
} from "@tinylm/model";
import { setThreads } from "@tinylm/tensor";
import { UsageError } from "./errors.js";
import { runSamples } from "./samples.js";
import { DEFAULT_SPECULATE, runSpeculative } from "./speculate.js";
import { type Io, resolvePath } from "./io.js";
import { loadOrInitModel, modelWeightsOption, resolveWeights, weightsFromUser } from "./model-source.js";
import { configOptions, givenConfigFlags, integerArg, numberArg, seedOption, type ConfigFlags } from "./options.js";
import { formatDuration, ProgressLine, type StepCost } from "./progress.js";
import { MAX_PROMPT_BYTES, promptTooLong, readPromptFile, type PromptInput } from "./read-input.js";

export interface GenerateCommandOptions extends ConfigFlags {
  readonly prompt?: string;
  /** A file to read the prompt from; "-" is standard input. */
  readonly promptFile?: string;
  readonly maxNewTokens?: number;
  readonly weights?: string;
  /** Seeds the random weights (without `weights`) and, unless `sampleSeed` is given, the sampler. */
  readonly seed?: number;
  readonly sampleSeed?: number;
  readonly cache?: string;
  readonly window?: number;
  readonly sinks?: number;
  readonly blockSize?: number;
  readonly keyScales?: KeyScales;
  readonly positions?: PositionScheme;
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly json?: boolean;
  /** Threads for large kernel calls (prefill, --cache none); default: the library's (the cores, up to 4). */
  readonly threads?: number;
  /** A draft model (file or trained model name) for speculative decoding, and the tokens it proposes per round. */
  readonly draft?: string;
  readonly speculate?: number;
  /** Samples of the prompt sharing its paged blocks, and the most bytes of blocks they may hold. */
  readonly numSamples?: number;
  readonly cacheBudget?: number;
}

/** Which strategies read each cache flag; the flag with any other strategy is a mistake, not a no-op. */
const CACHE_FLAGS = [
  ["window", "--window", ["sliding-window", "sinks"]],
  ["sinks", "--sinks", ["sinks"]],
  ["blockSize", "--block-size", ["paged"]],
  ["keyScales", "--key-scales", ["int8"]],
  ["positions", "--positions", ["sliding-window", "sinks"]],
] as const;

function readPrompt(options: GenerateCommandOptions, io: Io): PromptInput {
  const { prompt, promptFile } = options;
  if (prompt !== undefined && promptFile !== undefined) throw new UsageError("generate: give --prompt or --prompt-file, not both");
  if (promptFile === "-") {
    const text = io.readStdin();
    if (Buffer.byteLength(text) <= MAX_PROMPT_BYTES) return { text, truncated: false };
    return { text: Buffer.from(text).subarray(0, MAX_PROMPT_BYTES).toString("utf8"), truncated: true };
  }
  if (promptFile !== undefined) return readPromptFile(promptFile);
  if (prompt === undefined) throw new UsageError('generate: no prompt; give --prompt "the cat sat" or --prompt-file FILE (- reads stdin)');
  return { text: prompt, truncated: false };
}

export function checkCacheFlags(options: GenerateCommandOptions, cache: string, command = "generate"): void {
  for (const [key, flag, kinds] of CACHE_FLAGS) {
    if (options[key] !== undefined && !(kinds as readonly string[]).includes(cache)) {
      throw new UsageError(`${command}: ${flag} applies to --cache ${kinds.join(" or ")}; got --cache ${cache}`);
    }
  }
}

/** A duration for people: "0.42 ms", "812.30 ms", then seconds from 5 s ("12.3 s"), minutes past one ("3 min 5 s"). */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  if (x < 5_000) return `${x.toFixed(2)} ms`;
  if (x < 60_000) return `${(x / 1000).toFixed(1)} s`;
  return formatDuration(x);
}

/**
 * The settings the strategy runs with, its defaults filled in (what --json reports): the window and the
 * positions of sliding-window and sinks, the sinks of sinks, the block size of paged, the key scales of
 * int8; {} for the others.
 */
export function cacheSettings(cache: string, config: ModelConfig, options: GenerateCommandOptions): Record<string, number | string> {
  const window = options.window ?? defaultWindow(config), positions = options.positions ?? "absolute";
  if (cache === "sliding-window") return { window, positions };
  if (cache === "sinks") return { window, sinks: options.sinks ?? DEFAULT_SINKS, positions };
  if (cache === "paged") return { block_size: options.blockSize ?? defaultBlockSize(config) };
  if (cache === "int8") return { key_scales: options.keyScales ?? "token" };
  return {};
}

/** A window wider than the context keeps nothing more than `full`: a mistake, not a setting. */
export function checkWindow(options: GenerateCommandOptions, config: ModelConfig): void {
  const C = config.contextLength;
  if (options.window !== undefined && options.window > C) {
    throw new UsageError(`generate: --window ${options.window} is larger than the context length ${C}; give --window from 1 to ${C}`);
  }
  if (options.cache === "sinks") {
    const W = options.window ?? defaultWindow(config), S = options.sinks ?? DEFAULT_SINKS, most = Math.min(W - 1, C - W);
    if (S > most) {
      throw new UsageError(`generate: --sinks ${S} ${S >= W ? `is not fewer than the window ${W}` : `and the window ${W} exceed the context length ${C}`}; give --sinks from 0 to ${most}`);
    }
  }
}

/** The cost of a decode step at length t under the strategy, for the progress line's time left. */
const stepCost = (cache: string, config: ModelConfig): StepCost =>
  cache === "none" ? (t) => recomputeStepFlops(config, t) : (t) => cachedStepFlops(config, t);
const bytes = (n: number): string => n.toLocaleString("en-US");

/**
 * What the language's checker says of the continuation (the prompt is read, not scored): the share of
 * generated words it allows, and the first one it does not (null when all are allowed).
 */
function grammarJson(result: GenerateResult): Record<string, unknown> {
  const check = checkText([...result.promptIds, ...result.ids], result.promptIds.length);
  const at = check.firstError;
  return {
    continuation_rate: Number.isNaN(check.rate) ? null : check.rate,
    first_error: at === null ? null : { index: at - result.promptIds.length, word: decode([result.ids[at - result.promptIds.length]!]) },
    prompt_grammatical: check.ok.slice(0, result.promptIds.length).every(Boolean),
  };
}

/** Runs the generation the options describe, prints its result and returns it. */
export function runGenerate(given: GenerateCommandOptions & { draft?: undefined; speculate?: undefined; numSamples?: undefined }, io: Io): GenerateResult;
export function runGenerate(given: GenerateCommandOptions, io: Io): GenerateResult | SpeculateResult | SampleManyResult;
export function runGenerate(given: GenerateCommandOptions, io: Io): GenerateResult | SpeculateResult | SampleManyResult {
  const options = {
    ...given,
    weights: weightsFromUser(io, given.weights),
    promptFile: given.promptFile === undefined || given.promptFile === "-" ? given.promptFile : resolvePath(io, given.promptFile),
  };
  const input = readPrompt(options, io);
  const text = input.text;
  const cache = options.cache ?? "full";
  checkCacheFlags(options, cache);
  const seed = options.seed ?? 0;
  const sampling: SamplingOptions = { temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.sampleSeed ?? seed };
  const sampler = new Sampler(sampling); // validates, and tells the temperature in effect
  if (options.threads !== undefined) setThreads(options.threads);
  const model = loadOrInitModel({ ...options, seed });
  checkWindow(options, model.config);
  if (input.truncated) {
    const { contextLength: C, positional } = model.config;
    throw promptTooLong(input, positional === "learned" ? C : Infinity, `context_length ${C}`);
  }
  const maxNewTokens = options.maxNewTokens ?? 10;
  if (options.numSamples !== undefined) return runSamples(options, model, text, { maxNewTokens, cache, sampling }, io);
  if (options.draft !== undefined || options.speculate !== undefined) {
    return runSpeculative({ ...options, draft: weightsFromUser(io, options.draft) }, model, text, { maxNewTokens, cache, sampling, temperature: sampler.temperature }, io);
  }
  const progress = io.errIsTTY ? new ProgressLine((s) => io.err(s), maxNewTokens, undefined, undefined, stepCost(cache, model.config)) : undefined;
  let result: GenerateResult;
  try {
    result = generateSync(model, text, {
      maxNewTokens, cache, window: options.window, sinks: options.sinks, blockSize: options.blockSize, keyScales: options.keyScales, positions: options.positions,
      sampling, onToken: progress?.onToken,
    });
  } finally {
    progress?.clear();
  }
  if (options.json) {
    io.out(`${JSON.stringify({
      prompt_ids: result.promptIds,
      ids: result.ids,
      continuation: decode(result.ids),
      text: result.text,
      stop_reason: result.stopReason,
      stop_message: result.stopMessage,
      cache: result.cache,
      cache_settings: cacheSettings(cache, model.config, options),
      prefill_ms: result.prefillMs,
      ms_per_token: Number.isFinite(result.msPerToken) ? result.msPerToken : null,
      decode_steps: result.stepMs.length,
      total_ms: result.totalMs,
      cache_bytes: { allocated: result.cacheBytes.allocated, used: result.cacheBytes.used },
      max_new_tokens: maxNewTokens,
      sampling: { temperature: sampler.temperature, top_k: options.topK ?? null, top_p: options.topP ?? null, seed: sampling.seed },
      weights: resolveWeights(options) ?? "random",
      grammar: grammarJson(result),
      seed,
      config: configToJson(model.config),
    })}\n`);
  } else {
    io.out(`${decode(result.ids)}\n`);
    if (io.errIsTTY) {
      io.err(`tinylm: ${result.ids.length} tokens with cache "${result.cache}" in ${ms(result.totalMs)}: prefill ${ms(result.prefillMs)}, then ${ms(result.msPerToken)} per token (median); cache ${bytes(result.cacheBytes.allocated)} bytes allocated, ${bytes(result.cacheBytes.used)} used\n`);
    }
  }
  if (result.stopReason === "context") io.err(`tinylm: ${result.stopMessage}\n`);
  return result;
}

export function addGenerateCommand(program: Command, io: Io): Command {
  const command = program
    .command("generate")
    .description("continue a prompt and print the new words (greedy by default)")
    .addOption(new Option("--prompt <text>", "the prompt, in words of the 20-word vocabulary (required unless --prompt-file; default: none)").conflicts("promptFile"))
    .option("--prompt-file <file>", "read the prompt from a file, or from stdin with - (default: none)")
    .option("--max-new-tokens <n>", "tokens to generate; fewer if the context fills up first", integerArg(0), 10)
    .addOption(modelWeightsOption())
    .addOption(seedOption("seed of the random weights (--weights random) and of sampling (unless --sample-seed)"))
    .option("--sample-seed <n>", "seed of the sampler (default: the value of --seed)", integerArg(0, 2 ** 32 - 1));
  for (const option of configOptions()) command.addOption(option);
  return command
    .addOption(new Option("--cache <kind>", "KV-cache strategy; none recomputes the whole sequence every step").choices(CACHE_KINDS).default("full"))
    .option("--window <n>", "positions kept by --cache sliding-window and sinks (default: half the context length, 16 at 32)", integerArg(1, MAX_CONTEXT_LENGTH))
    .option("--sinks <n>", `leading positions always kept by --cache sinks (default: ${DEFAULT_SINKS})`, integerArg(0, MAX_CONTEXT_LENGTH))
    .option("--block-size <n>", `positions per block of --cache paged (default: ${DEFAULT_BLOCK_SIZE}, at most the context length)`, integerArg(1, MAX_CONTEXT_LENGTH))
    .addOption(new Option("--key-scales <kind>", "int8 key scales of --cache int8: one per position (token) or per channel over 32 positions (channel, KIVI) (default: token)").choices(KEY_SCALES))
    .addOption(new Option("--positions <scheme>", "positions --cache sliding-window and sinks embed: absolute, or cache (a token's place in the cache, never past window + sinks - 1, as StreamingLLM) (default: absolute)").choices(POSITION_SCHEMES))
    .option("--temperature <t>", "sampling temperature; 0 is greedy argmax (default: 0, or 1 with --top-k or --top-p)", numberArg(0))
    .option("--top-k <k>", "sample from the k most probable words only (default: all 20)", integerArg(1))
    .option("--top-p <p>", "sample from the fewest most probable words whose probability reaches p (default: 1, off)", numberArg(0, 1, true))
    .option("--threads <n>", "threads for long prompts and --cache none; 1 runs on one core (default: the cores, up to 4)", integerArg(1, 64))
    .option("--draft <file>", "speculative decoding: a draft model (a .safetensors file or a trained model, e.g. draft for --weights long) proposes tokens the model checks in one pass (default: none, off)")
    .option("--speculate <k>", `tokens the --draft proposes per round (default: ${DEFAULT_SPECULATE} with --draft)`, integerArg(1, MAX_CONTEXT_LENGTH))
    .option("--num-samples <n>", "n samples of the prompt, seeds --sample-seed, +1, …, sharing the prompt's blocks of --cache paged (then its default); one line each (default: 1)", integerArg(1, 4096))
    .option("--cache-budget <bytes>", "with --num-samples: the most bytes of key/value blocks the samples may hold at once (default: no limit)", integerArg(1))
    .option("--json", "print one JSON object: ids, text, stop reason, timings, cache bytes, config", false)
    .action((o: Omit<GenerateCommandOptions, keyof ConfigFlags>, cmd: Command) => {
      if (o.cacheBudget !== undefined && o.numSamples === undefined) throw new UsageError("generate: --cache-budget applies to --num-samples; give --num-samples n");
      const cache = o.numSamples !== undefined && cmd.getOptionValueSource("cache") === "default" ? "paged" : o.cache; // samples share paged blocks
      runGenerate({ ...o, cache, ...givenConfigFlags(cmd) }, io);
    });
}
