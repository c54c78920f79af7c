// The caches generate() builds from a strategy name, kept per model between generations: the next
// generation with the same strategy and options takes the idle one (reset) instead of allocating again.
// A `full` cache at context 10,000 is 15 MB; without this, every call would reserve a new one and leave
// the old one to the garbage collector. A cache is idle only between generations, so generations that run
// at the same time (interleaved async calls) never share one.
//
// At most MAX_IDLE_CACHES are kept per model, least recently used given back first (disposed: their kernel
// memory returns at once). Four covers what a program alternates between (the TUI's full ↔ none toggle,
// a comparison of a few strategies) while a sweep over many settings (300 window sizes) holds four caches,
// not 300: at context 10,000 that is at most 60 MB of `full` caches per model. model.dispose() gives back
// the rest.
import type { ModelConfig } from "../config.js";
import { createCache, type CacheOptions } from "./index.js";
import type { KVCache } from "./types.js";

/** Idle caches kept per model. */
export const MAX_IDLE_CACHES = 4;

const idle = new WeakMap<object, Map<string, KVCache>>(); // owner (a model) -> key -> one idle cache, oldest first

const keyOf = (kind: string, { window, sinks, blockSize, keyScales, positions }: CacheOptions): string => JSON.stringify([kind, window, sinks, blockSize, keyScales, positions]);

/** An idle cache of this kind and options kept for `owner` (reset), else a new one for `config`. */
export function takeCache(owner: object, config: ModelConfig, kind: string, options: CacheOptions): KVCache {
  const key = keyOf(kind, options);
  const pool = idle.get(owner);
  const cache = pool?.get(key);
  if (cache === undefined) return createCache(kind, config, { window: options.window, sinks: options.sinks, blockSize: options.blockSize, keyScales: options.keyScales, positions: options.positions });
  pool!.delete(key);
  cache.reset();
  return cache;
}

/** Gives a cache taken with takeCache back for the next generation (the least recently used goes past the bound). */
export function returnCache(owner: object, kind: string, options: CacheOptions, cache: KVCache): void {
  let pool = idle.get(owner);
  if (pool === undefined) idle.set(owner, (pool = new Map()));
  const key = keyOf(kind, options);
  pool.get(key)?.dispose?.(); // two generations with one setting ran at once: keep the one returned last
  pool.delete(key);
  pool.set(key, cache); // most recent last
  for (const [oldest, c] of pool) {
    if (pool.size <= MAX_IDLE_CACHES) break;
    pool.delete(oldest);
    c.dispose?.();
  }
}

/** Idle caches kept for `owner` (for tests and tools). */
export function idleCacheCount(owner: object): number {
  return idle.get(owner)?.size ?? 0;
}

/** Disposes every idle cache kept for `owner` (model.dispose()). */
export function disposeIdleCaches(owner: object): void {
  const pool = idle.get(owner);
  if (pool === undefined) return;
  for (const c of pool.values()) c.dispose?.();
  idle.delete(owner);
}
