// n samples of one prompt over one paged block pool (vLLM's parallel sampling): the prompt is prefilled once,
// each sample forks that cache (sharing every block: the prompt is held once), and a sample copies a block
// only when it first writes into a shared one (the prompt's last, partly filled block). The samples decode
// in turn, one token each per round, as a batch would. Sample i samples with seed + i, so its tokens are
// those of generate() alone with that seed: its rows are computed exactly as they would be alone. A finished
// sample returns its blocks to the pool; when the call ends, aborted or not, every block is back.
import { sliceRows, type Tensor } from "@tinylm/tensor";
import { ConfigError, ContextError, VocabularyError } from "./errors.js";
import { validateCacheOptions } from "./kv-cache/options.js";
import { PagedCache } from "./kv-cache/paged-cache.js";
import type { TinyLM } from "./model.js";
import { embeddablePositions } from "./positional.js";
import { Sampler, type SamplingOptions } from "./sampling.js";
import { decode, encode } from "./vocab.js";

/** The block size of sampleMany's paged caches: vLLM's 16, so samples share a short prompt's blocks. */
const SHARED_BLOCK_SIZE = 16;

export interface SampleManyOptions {
  readonly n: number;
  readonly maxNewTokens?: number;
  /** Sample i uses seed (default 0) + i. */
  readonly sampling?: SamplingOptions;
  readonly blockSize?: number;
  /** Most bytes of KV blocks the n samples may hold at once; more samples than fit is a ConfigError. */
  readonly budgetBytes?: number;
  readonly signal?: AbortSignal;
}

export interface SampleManyResult {
  readonly promptIds: number[];
  readonly samples: { readonly ids: number[]; readonly text: string; readonly seed: number }[];
  readonly aborted: boolean;
  /** Bytes of KV blocks: the most the shared pool held, and what n caches of their own would have held. */
  readonly bytes: { readonly shared: number; readonly separate: number };
  /** Blocks still in use when the call returned (0: every block went back to the pool). */
  readonly blocksInUse: number;
}

/** sampleMany(model, "the cat", { n: 8, maxNewTokens: 20, sampling: { temperature: 1, seed: 3 } }) */
export function sampleMany(model: TinyLM, prompt: string | readonly number[], options: SampleManyOptions): SampleManyResult {
  const { n } = options;
  if (!Number.isInteger(n) || n < 1) throw new ConfigError("num_samples", n, "must be an integer >= 1");
  validateCacheOptions({ blockSize: options.blockSize });
  const promptIds = typeof prompt === "string" ? encode(prompt) : [...prompt];
  if (promptIds.length === 0) throw new VocabularyError("sampleMany: the prompt is empty; expected at least one token");
  // blocks of 16 unless told: the samples share the prompt block by block, so a short prompt needs small blocks
  const root = new PagedCache(model.config, { blockSize: options.blockSize ?? SHARED_BLOCK_SIZE });
  const limit = Math.min(root.positionLimit, embeddablePositions(model.config));
  if (promptIds.length > limit) throw new ContextError(`sampleMany: the prompt has ${promptIds.length} tokens, more than the ${limit} that fit`, promptIds.length, limit);
  const maxNew = Math.min(options.maxNewTokens ?? 10, limit - promptIds.length);
  const P = promptIds.length, B = root.blockSize, L = model.config.nLayers;
  const blockBytes = 2 * B * model.config.dModel * 4;
  const blocksAlone = (length: number): number => L * Math.ceil(length / B); // one cache holding `length` positions
  // the most blocks held at once: the prompt's, plus each sample's own from its first write (the block that
  // holds position P, copied when shared) to its last position, P + maxNew - 2 (the last token is never fed)
  const ownPerSample = maxNew > 1 ? blocksAlone(P + maxNew - 1) - L * Math.floor(P / B) : 0;
  const peak = blockBytes * (blocksAlone(P) + n * ownPerSample);
  if (options.budgetBytes !== undefined && peak > options.budgetBytes) {
    const fit = ownPerSample === 0 ? n : Math.max(0, Math.floor((options.budgetBytes / blockBytes - blocksAlone(P)) / ownPerSample));
    throw new ConfigError("num_samples", n, `needs up to ${peak} bytes of KV blocks (${maxNew} tokens each, blocks of ${B}), more than the budget of ${options.budgetBytes} bytes; at most ${fit} fit`);
  }
  const seed = options.sampling?.seed ?? 0;
  const samplers = Array.from({ length: n }, (_, i) => new Sampler({ ...options.sampling, seed: seed + i }));
  const caches: PagedCache[] = [];
  const tokens = Array.from({ length: n }, () => [...promptIds]);
  let mostBytes = 0;
  let aborted = false;
  try {
    if (maxNew > 0) {
      const first = lastRow(model.forward(promptIds, { cache: root, logits: "last" }));
      for (let i = 0; i < n; i++) {
        tokens[i]!.push(samplers[i]!.pick(first));
        caches.push(root.fork());
      }
      root.reset(); // the forks hold the prompt's blocks now
      for (let step = 1; step < maxNew; step++) {
        if (options.signal?.aborted) {
          aborted = true;
          break;
        }
        for (let i = 0; i < n; i++) {
          const seq = tokens[i]!;
          seq.push(samplers[i]!.pick(lastRow(model.forward([seq[seq.length - 1]!], { cache: caches[i]!, logits: "last" }))));
          mostBytes = Math.max(mostBytes, root.pool.inUse * blockBytes);
          if (step === maxNew - 1) caches[i]!.reset(); // finished: its blocks go back to the pool
        }
      }
      mostBytes = Math.max(mostBytes, blocksAlone(P) * blockBytes);
    }
  } finally {
    for (const cache of caches) cache.reset();
    root.reset();
  }
  return {
    promptIds,
    samples: tokens.map((seq, i) => ({ ids: seq.slice(P), text: decode(seq), seed: seed + i })),
    aborted,
    bytes: { shared: mostBytes, separate: n * blocksAlone(P + maxNew - 1) * blockBytes },
    blocksInUse: root.pool.inUse,
  };
}

const lastRow = (logits: Tensor): Tensor => sliceRows(logits, logits.shape[0]! - 1, logits.shape[0]!).pick(0, null); // [V]
