// One timed generation. The clock (Node's process.hrtime.bigint) starts just before the first prompt token
// goes in and is read as each token comes out, so elapsedMs[i] is the total time to generate i + 1 tokens,
// prefill included: one run to n_max gives the total for every n <= n_max (the tokens up to n are the same
// greedy tokens a separate n-token run would produce, as measure.test.ts checks). The cache is allocated
// before the clock starts, as a server would hold one per session, and a full garbage collection runs
// before it too; time spent in our own per-token bookkeeping (and the progress display) is measured and
// subtracted.
import { createCache, generateSync, type CacheBytes, type CacheOptions, type TinyLM, type TokenEvent } from "@tinylm/model";
import { collectGarbage } from "./gc.js";

export interface TimedRun {
  readonly kind: string;
  readonly capacity: number; // positions the cache retains (Infinity: unbounded)
  readonly ids: number[]; // generated ids
  readonly elapsedMs: number[]; // [n]: generation time up to and including token i
  readonly stepMs: number[]; // [n]: the forward pass that produced token i (generateSync's TokenEvent.ms)
  readonly positions: number[]; // [n]: absolute position of token i
  readonly bytes: CacheBytes[]; // [n]: cache memory after token i
  readonly text: string;
}

export interface RunOptions {
  readonly cacheOptions?: CacheOptions;
  /** Called after each token, outside the measured time. */
  readonly onToken?: (event: TokenEvent) => void;
}

/** Generates `maxNewTokens` greedy tokens from `prompt` with cache strategy `kind`, timing each one. */
export function timeRun(model: TinyLM, prompt: string, kind: string, maxNewTokens: number, options: RunOptions = {}): TimedRun {
  const cache = createCache(kind, model.config, options.cacheOptions);
  const elapsedMs: number[] = [], stepMs: number[] = [], positions: number[] = [], bytes: CacheBytes[] = [];
  let bookkeeping = 0n;
  collectGarbage();
  const t0 = process.hrtime.bigint();
  const result = generateSync(model, prompt, {
    cache,
    maxNewTokens,
    onToken: (event) => {
      const now = process.hrtime.bigint();
      elapsedMs.push(Number(now - t0 - bookkeeping) / 1e6);
      stepMs.push(event.ms);
      positions.push(event.position);
      bytes.push(event.cacheBytes);
      options.onToken?.(event);
      bookkeeping += process.hrtime.bigint() - now;
    },
  });
  return { kind, capacity: cache.capacity, ids: result.ids, elapsedMs, stepMs, positions, bytes, text: result.text };
}
