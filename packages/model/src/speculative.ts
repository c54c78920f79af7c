// Speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a small draft model proposes k tokens one
// by one over its own cache; the target scores all of them in one forward pass over its cache (k + 1 rows of
// logits: one per proposal and one past the last); the proposals are accepted left to right, each with
// probability min(1, p(x) / q(x)) (p the target's, q the draft's distribution at that position); the first
// rejected one is replaced by a draw from max(0, p - q), renormalized; when all k are accepted, one more
// token comes from the target's last row. Both caches are then rolled back (truncate) to the tokens kept.
// Every emitted token is distributed exactly as the target alone would sample it; under greedy decoding
// (p and q point masses) the rule accepts a proposal iff it is the target's argmax, so the output is the
// target's greedy output token for token: a row of logits computed in a batch has the bits of the same row
// computed alone.
import { Rng, sliceRows, type Tensor } from "@tinylm/tensor";
import { ConfigError, ContextError, VocabularyError } from "./errors.js";
import { drawFrom, probabilities } from "./distribution.js";
import { CACHE_OPTION_KEYS, createCache, type CacheOptions } from "./kv-cache/index.js";
import type { KVCache } from "./kv-cache/types.js";
import type { TinyLM } from "./model.js";
import { embeddablePositions } from "./positional.js";
import { validateSampling, type SamplingOptions } from "./sampling.js";
import { decode, encode } from "./vocab.js";

export interface SpeculateOptions extends CacheOptions {
  /** The draft model: the target's vocabulary and context length, fewer blocks. */
  readonly draft: TinyLM;
  /** Tokens the draft proposes per round (>= 1). */
  readonly k: number;
  readonly maxNewTokens?: number;
  /** The same warps for draft and target; the seed drives the draft's draws, the acceptance tests and the corrections. */
  readonly sampling?: SamplingOptions;
  /** The strategy of both caches (default "full"); it must roll back (window caches stop once they evict). */
  readonly cache?: string;
  /** Or the caches themselves (reset first). */
  readonly targetCache?: KVCache;
  readonly draftCache?: KVCache;
  readonly signal?: AbortSignal;
}

export interface SpeculateResult {
  readonly promptIds: number[];
  readonly ids: number[]; // generated ids only
  readonly text: string;
  readonly stopReason: "max_new_tokens" | "context" | "aborted";
  readonly k: number;
  readonly rounds: number; // target passes
  readonly proposed: number; // draft tokens scored by the target
  readonly accepted: number; // of those, kept
  readonly acceptanceRate: number; // accepted / proposed (NaN when none)
  readonly firstTokenMs: number;
  readonly totalMs: number;
}

/** Throws a ConfigError unless `draft` can draft for `target` and `k` fits in the context. */
export function checkSpeculation(target: TinyLM, draft: TinyLM, k: number): void {
  const t = target.config, d = draft.config;
  if (d.vocabSize !== t.vocabSize || d.contextLength !== t.contextLength || d.positional !== t.positional) {
    throw new ConfigError(
      "draft",
      `vocab_size ${d.vocabSize}, context_length ${d.contextLength}, ${d.positional} positions`,
      `must share the target's vocabulary and positions (vocab_size ${t.vocabSize}, context_length ${t.contextLength}, ${t.positional} positions)`,
    );
  }
  const limit = embeddablePositions(t) === Infinity ? t.contextLength : embeddablePositions(t);
  if (!Number.isInteger(k) || k < 1 || k >= limit) {
    throw new ConfigError("speculate", k, `must be an integer in [1, ${limit - 1}] (tokens proposed per round; the context holds ${limit} positions)`);
  }
}

/** Greedy or sampled speculative generation; see the file's comment. speculate(target, "the cat", { draft, k: 4 }) */
export function speculate(target: TinyLM, prompt: string | readonly number[], options: SpeculateOptions): SpeculateResult {
  const t0 = performance.now();
  const { draft, k } = options;
  checkSpeculation(target, draft, k);
  const sampling = options.sampling ?? {};
  validateSampling(sampling);
  const promptIds = typeof prompt === "string" ? encode(prompt) : [...prompt];
  if (promptIds.length === 0) throw new VocabularyError("speculate: the prompt is empty; expected at least one token");
  const maxNew = options.maxNewTokens ?? 10;
  if (!Number.isInteger(maxNew) || maxNew < 0) throw new ContextError(`speculate: max_new_tokens must be an integer >= 0; got ${maxNew}`, 0, 0);
  const kind = options.cache ?? "full";
  const given = options as unknown as Record<string, unknown>; // the cache's own options, for createCache
  const cacheOptions: CacheOptions = Object.fromEntries(CACHE_OPTION_KEYS.flatMap((key) => (given[key] === undefined ? [] : [[key, given[key]]])));
  const tc = options.targetCache ?? createCache(kind, target.config, cacheOptions);
  const dc = options.draftCache ?? createCache(kind, draft.config, cacheOptions);
  tc.reset();
  dc.reset();
  const limit = Math.min(tc.positionLimit, dc.positionLimit, embeddablePositions(target.config));
  if (promptIds.length > limit) {
    throw new ContextError(`speculate: the prompt has ${promptIds.length} tokens, more than the ${limit} that fit (context_length ${target.config.contextLength})`, promptIds.length, limit);
  }
  const rng = new Rng(sampling.seed ?? 0);
  const tokens = [...promptIds];
  const end = promptIds.length + maxNew;
  let rounds = 0, proposed = 0, accepted = 0, firstTokenMs = NaN;
  let stopReason: SpeculateResult["stopReason"] = "max_new_tokens";
  while (tokens.length < end) {
    if (options.signal?.aborted) {
      stopReason = "aborted";
      break;
    }
    if (tokens.length >= limit) {
      stopReason = "context";
      break;
    }
    const n = tokens.length;
    const steps = Math.min(k, limit - n - 1); // the token after the last proposal must fit too
    // the draft proposes `steps` tokens, one forward each, keeping each distribution q
    const proposals: number[] = [], q: Float64Array[] = [];
    for (let i = 0; i < steps; i++) {
      const fed = i === 0 ? tokens.slice(dc.length) : [proposals[i - 1]!];
      const row = lastRow(draft.forward(fed, { cache: dc, logits: "last" })); // [V]
      q.push(probabilities(row, sampling));
      proposals.push(drawFrom(q[i]!, rng));
    }
    // the target scores them in one pass: row j of the last steps + 1 predicts position n + j
    const fed = [...tokens.slice(tc.length), ...proposals];
    const logits = target.forward(fed, { cache: tc }); // [fed, V]
    const first = fed.length - steps - 1;
    rounds++;
    proposed += steps;
    let j = 0;
    let next = -1;
    for (; j < steps; j++) {
      const p = probabilities(rowOf(logits, first + j), sampling);
      const x = proposals[j]!;
      if (rng.uniform() < p[x]! / q[j]![x]!) continue; // accepted with probability min(1, p / q)
      for (let i = 0; i < p.length; i++) p[i] = Math.max(0, p[i]! - q[j]![i]!); // rejected: draw from (p - q)+
      next = drawFrom(p, rng);
      break;
    }
    accepted += j;
    if (next < 0) next = drawFrom(probabilities(rowOf(logits, first + steps), sampling), rng); // all accepted: one more
    tokens.push(...proposals.slice(0, j), next);
    if (Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - t0;
    // keep what both caches hold of the accepted tokens; the new last token is fed next round
    tc.truncate(Math.min(tc.length, n + j));
    dc.truncate(Math.min(dc.length, n + j));
  }
  if (tokens.length > end) {
    tokens.length = end; // a round may pass max_new_tokens; its extra tokens are dropped (earlier ones keep their distribution)
    tc.truncate(Math.min(tc.length, end - 1));
    dc.truncate(Math.min(dc.length, end - 1));
  }
  const ids = tokens.slice(promptIds.length);
  return {
    promptIds, ids, text: decode(tokens), stopReason, k, rounds, proposed, accepted, acceptanceRate: proposed > 0 ? accepted / proposed : NaN,
    firstTokenMs, totalMs: performance.now() - t0,
  };
}

const rowOf = (logits: Tensor, i: number): Tensor => sliceRows(logits, i, i + 1).pick(0, null); // [V]
const lastRow = (logits: Tensor): Tensor => rowOf(logits, logits.shape[0]! - 1);
