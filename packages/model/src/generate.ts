// The generation loop (the exercise's): run the sequence, take the last row of logits, pick the next
// token, append, repeat. The cache decides how much of the sequence is fed each step: a cache that
// keeps nothing (`none`) gets the whole sequence, a full one only the new token. The loop never asks which.
//
// Length rule: the sequence (prompt + generated) never exceeds the limit, min(context_length for learned
// positions, the cache's positionLimit). A prompt longer than the limit is a ContextError before any work;
// otherwise generation stops early with stopReason "context" when the next token would not fit.
import { NumericError, sliceRows, zeros, type Tensor } from "@tinylm/tensor";
import { checkCache, checkFunction, checkIds, optionsObject } from "./arguments.js";
import { ArgumentError, ContextError, quote, RollbackError, StateError, VocabularyError, WeightsError } from "./errors.js";
import { takeCache, returnCache } from "./kv-cache/idle-caches.js";
import { CACHE_OPTION_KEYS, type CacheOptions } from "./kv-cache/index.js";
import { PrefixCache } from "./kv-cache/prefix-cache.js";
import type { CacheBytes, KVCache } from "./kv-cache/types.js";
import { TinyLM, type AttentionObserver } from "./model.js";
import { embeddablePositions } from "./positional.js";
import { Sampler, validateSampling, type SamplingOptions } from "./sampling.js";
import { decode, encode } from "./vocab.js";
import { getParameter, parameterSpecs } from "./weights.js";

export interface GenerateOptions extends CacheOptions {
  /** Tokens to generate (default 10). */
  readonly maxNewTokens?: number;
  /**
   * A strategy name ("full" by default, "none", …) or your own KVCache instance. A PrefixCache is kept
   * between calls: the prompt's longest prefix it already holds is reused, not recomputed (chat turns).
   */
  readonly cache?: string | KVCache;
  readonly sampling?: SamplingOptions;
  /** Stops generation between tokens; the result keeps what was produced. */
  readonly signal?: AbortSignal;
  /** Called with each token as it is produced. */
  readonly onToken?: (token: TokenEvent) => void;
  /** Receives the attention probabilities of every forward pass. */
  readonly onAttention?: AttentionObserver;
}

export interface TokenEvent {
  readonly id: number;
  readonly word: string;
  readonly index: number; // 0 for the first generated token
  readonly position: number; // absolute position of this token in the sequence
  readonly ms: number; // time of the forward pass that produced it
  readonly cacheBytes: CacheBytes;
}

export type StopReason = "max_new_tokens" | "context" | "aborted";

export interface GenerateResult {
  readonly promptIds: number[];
  readonly ids: number[]; // generated ids only
  readonly text: string; // prompt and continuation
  readonly stopReason: StopReason;
  readonly stopMessage: string;
  readonly cache: string; // the strategy's kind
  readonly prefillMs: number; // the pass over the prompt (it yields the first token)
  readonly reusedPositions: number; // prompt positions taken from a PrefixCache instead of computed (0 otherwise)
  readonly firstTokenMs: number; // from the call to the first token: setting the cache up, rolling it back, prefill
  readonly stepMs: number[]; // each later step, one per token after the first
  readonly msPerToken: number; // median of stepMs (NaN when there are none)
  readonly totalMs: number;
  readonly cacheBytes: CacheBytes; // at the end
}

const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const OPTION_KEYS = ["maxNewTokens", "cache", "sampling", "signal", "onToken", "onAttention", ...CACHE_OPTION_KEYS];

/** Caches serving a generation that has not finished: a second generation may not share one. */
const running = new WeakSet<KVCache>();

/**
 * The loop itself, one yield per generated token; returns the result. generate() and generateSync()
 * drive it. Prefill is the first forward: the whole prompt in one pass. A generation holds its cache until
 * it finishes (or the iterator's return() is called, as `for…of` with `break` does); meanwhile another
 * generation given the same cache object throws a StateError.
 */
export function* generateSteps(model: TinyLM, prompt: string | readonly number[], options: GenerateOptions = {}): Generator<TokenEvent, GenerateResult> {
  if (!(model instanceof TinyLM)) throw new ArgumentError("generate", "model", model, "is not a TinyLM", "a model from TinyLM.init, new TinyLM or loadModel");
  if (model.disposed) throw new StateError("generate", "the model was disposed; load or create a new one");
  if (typeof prompt !== "string") checkIds("generate", prompt, model.config.vocabSize, "prompt");
  const promptIds = typeof prompt === "string" ? encode(prompt) : Array.from(prompt);
  if (promptIds.length === 0) throw new VocabularyError("generate: the prompt is empty; expected at least one token");
  checkGenerateOptions(optionsObject("generate", "options", options, OPTION_KEYS));
  const maxNew = options.maxNewTokens ?? 10;
  if (!Number.isInteger(maxNew) || maxNew < 0) throw new ContextError(`generate: max_new_tokens must be an integer >= 0; got ${quote(maxNew)}`, 0, 0);
  const t0 = performance.now(); // the total counts setting the cache up too
  const named = typeof options.cache === "object" ? null : options.cache ?? "full";
  if (named === null) checkCache("generate", options.cache, model.config);
  const cache = named === null ? (options.cache as KVCache) : takeCache(model, model.config, named, options);
  if (running.has(cache)) {
    throw new StateError("generate", `this ${cache.kind} cache is serving another generation that has not finished; give each generation running at the same time its own cache (or a strategy name: generate() then builds one per generation)`);
  }
  running.add(cache);
  try {
    return yield* run(model, promptIds, maxNew, cache, options, t0);
  } finally {
    running.delete(cache);
    if (named !== null) {
      if (model.disposed) cache.dispose?.(); // the model went while this ran: nothing will take the cache again
      else returnCache(model, named, options, cache);
    }
  }
}

/** The callbacks, signal and sampling options of a generation (cache options are checked where the cache is built). */
function checkGenerateOptions(options: GenerateOptions): void {
  checkFunction("generate", "onToken", options.onToken);
  checkFunction("generate", "onAttention", options.onAttention);
  const signal = options.signal as { aborted?: unknown } | undefined;
  if (signal !== undefined && (typeof signal !== "object" || signal === null || typeof signal.aborted !== "boolean")) {
    throw new ArgumentError("generate", "signal", signal, "is not an AbortSignal", "an AbortSignal (new AbortController().signal) or undefined");
  }
  if (options.cache !== undefined && typeof options.cache !== "string" && typeof options.cache !== "object") {
    throw new ArgumentError("generate", "cache", options.cache, "is neither a strategy name nor a KVCache", '"full", "none", … or a KVCache');
  }
  if (options.sampling !== undefined) validateSampling(options.sampling);
}

/** generateSteps' loop over a cache it has chosen (and will give back if it built it); t0 starts the total. */
function* run(model: TinyLM, promptIds: number[], maxNew: number, cache: KVCache, options: GenerateOptions, t0: number): Generator<TokenEvent, GenerateResult> {
  const sampler = new Sampler(options.sampling);
  const { contextLength: C, positional } = model.config;
  // a cache that chooses the embedded positions (a window with positions "cache") knows its own limit
  const limit = cache.embedPosition ? cache.positionLimit : Math.min(cache.positionLimit, embeddablePositions(model.config));
  if (promptIds.length > limit) {
    throw new ContextError(`generate: the prompt has ${promptIds.length} tokens, more than the ${limit} that fit (context_length ${C}, cache "${cache.kind}"). Shorten the prompt, or use a model with a larger contextLength.`, promptIds.length, limit);
  }
  const reused = reuse(cache, promptIds);
  const tokens = [...promptIds];
  // Only the last position's logits are sampled. A cache that keeps rows asks for those alone (the last
  // block skips the other rows' attention output and MLP: the same bits, a third less work on a long
  // prompt). One that keeps nothing (`none`) runs the exercise's literal loop, every position's logits each
  // step, so the measured cost of going without a cache is the one cost.ts and docs/kv-cache.md describe.
  const rows = cache.keepsRows ? "last" : "all";
  let decodeLogits: Tensor | undefined;
  const stepMs: number[] = [];
  let prefillMs = 0, firstTokenMs = NaN;
  let stopReason: StopReason = "max_new_tokens";
  for (let index = 0; index < maxNew; index++) {
    if (options.signal?.aborted) {
      stopReason = "aborted";
      break;
    }
    if (tokens.length >= limit) {
      stopReason = "context";
      break;
    }
    // feed what the cache has not seen: the whole sequence for `none`, the new token otherwise
    const start = performance.now();
    const fed = tokens.slice(cache.length);
    // a decode step writes into one reused [1, V] tensor: read (sampled) here, before the next step
    const out = fed.length === 1 ? (decodeLogits ??= zeros([1, model.config.vocabSize])) : undefined;
    let logits: Tensor; // [T or 1, V]
    try {
      logits = model.forward(fed, { cache, onAttention: options.onAttention, out, logits: rows });
    } catch (e) {
      throw e instanceof NumericError ? overflowError(model, e, tokens.length) : e;
    }
    const last = sliceRows(logits, logits.shape[0]! - 1, logits.shape[0]!).pick(0, null); // [V]
    const id = sampler.pick(last);
    const ms = performance.now() - start;
    if (index === 0) [prefillMs, firstTokenMs] = [ms, performance.now() - t0];
    else stepMs.push(ms);
    const event = { id, word: decode([id]), index, position: tokens.length, ms, cacheBytes: cache.bytes() };
    tokens.push(id);
    options.onToken?.(event);
    yield event;
  }
  const ids = tokens.slice(promptIds.length);
  const stopMessage = {
    max_new_tokens: `generated ${ids.length} tokens (max_new_tokens)`,
    context: `stopped after ${ids.length} tokens: the sequence reached its limit of ${limit} positions (context_length ${C}${positional === "sinusoidal" ? `, cache "${cache.kind}"` : ", learned positions"})`,
    aborted: `stopped after ${ids.length} tokens: aborted`,
  }[stopReason];
  return {
    promptIds, ids, text: decode(tokens), stopReason, stopMessage, cache: cache.kind,
    prefillMs, reusedPositions: reused, firstTokenMs, stepMs, msPerToken: median(stepMs), totalMs: performance.now() - t0, cacheBytes: cache.bytes(),
  };
}

/**
 * Prepares `cache` for `promptIds` and returns how many of its positions are reused. A PrefixCache keeps the
 * longest prefix it shares with the prompt (less its last token when it holds the whole prompt: a pass needs
 * at least one token to give logits) and rolls back the rest; a window cache that already evicted rows the
 * prompt needs starts over. Any other cache is reset.
 */
function reuse(cache: KVCache, promptIds: readonly number[]): number {
  if (!(cache instanceof PrefixCache)) {
    cache.reset();
    return 0;
  }
  const shared = Math.min(cache.matchPrefix(promptIds), promptIds.length - 1);
  try {
    cache.truncate(shared);
    return shared;
  } catch (e) {
    if (!(e instanceof RollbackError)) throw e;
    cache.reset();
    return 0;
  }
}

/**
 * The error for a forward pass whose floats overflowed (finite weights so large that a product or sum passes
 * float32's 3.4e38): a WeightsError naming the tensor of largest magnitude, the likely culprit.
 */
function overflowError(model: TinyLM, e: NumericError, position: number): WeightsError {
  let max = 0, name = "";
  for (const spec of parameterSpecs(model.config)) {
    const data = getParameter(model.weights, spec.name).data;
    for (let i = 0; i < data.length; i++) if (Math.abs(data[i]!) > max) [max, name] = [Math.abs(data[i]!), spec.name];
  }
  return new WeightsError(`generate: ${e.message} at position ${position}: the weights overflow float32 (largest |w| ${max.toExponential(2)}, in "${name}"); they are corrupt or from a model that diverged`, name);
}

/** Runs the loop to the end without yielding to the event loop (benchmarks, scripts). */
export function generateSync(model: TinyLM, prompt: string | readonly number[], options: GenerateOptions = {}): GenerateResult {
  const steps = generateSteps(model, prompt, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Lets pending events run: setImmediate where there is one (Node), else a MessageChannel message (browsers,
 * workers, Deno), which unlike setTimeout(0) is not clamped to 4 ms.
 */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Runs the loop, streaming tokens to onToken, and lets the event loop run at least every 15 ms so a UI
 * stays responsive and an AbortSignal can fire. generate(model, "the cat sat", { maxNewTokens: 10 })
 */
export async function generate(model: TinyLM, prompt: string | readonly number[], options: GenerateOptions = {}): Promise<GenerateResult> {
  const steps = generateSteps(model, prompt, options);
  let lastYield = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - lastYield > 15) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
}
