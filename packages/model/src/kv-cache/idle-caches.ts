// The caches generate() builds from a strategy name, kept per model between generations: the next
// generation with the same strategy and options takes the idle one (reset) instead of allocating again.
// A `full` cache at context 10,000 is 15 MB; without this, every call would reserve a new one and leave
// the old one to the garbage collector. A cache is idle only between generations, so generations that run
// at the same time (interleaved async calls) never share one.
import type { ModelConfig } from "../config.js";
import { createCache, type CacheOptions } from "./index.js";
import type { KVCache } from "./types.js";

const idle = new WeakMap<object, Map<string, KVCache>>(); // owner (a model) -> key -> one idle cache

const keyOf = (kind: string, { window, sinks, blockSize }: CacheOptions): string => JSON.stringify([kind, window, sinks, blockSize]);

/** An idle cache of this kind and options kept for `owner` (reset), else a new one for `config`. */
export function takeCache(owner: object, config: ModelConfig, kind: string, options: CacheOptions): KVCache {
  const key = keyOf(kind, options);
  const pool = idle.get(owner);
  const cache = pool?.get(key);
  if (cache === undefined) return createCache(kind, config, options);
  pool!.delete(key);
  cache.reset();
  return cache;
}

/** Gives a cache taken with takeCache back for the next generation. */
export function returnCache(owner: object, kind: string, options: CacheOptions, cache: KVCache): void {
  let pool = idle.get(owner);
  if (pool === undefined) idle.set(owner, (pool = new Map()));
  pool.set(keyOf(kind, options), cache);
}
