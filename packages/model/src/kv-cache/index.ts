// createCache: the one place that maps a strategy name to its class.
import type { ModelConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { FullCache } from "./full-cache.js";
import { NoCache } from "./no-cache.js";
import type { KVCache } from "./types.js";

export const CACHE_KINDS = ["none", "full"] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

export interface CacheOptions {
  /** Positions kept by the window strategies (sliding-window, sinks). */
  readonly window?: number;
  /** Leading positions always kept by `sinks`. */
  readonly sinks?: number;
  /** Positions per block for `paged`. */
  readonly blockSize?: number;
}

/** A new, empty cache of strategy `kind` for a model of `config`. createCache("full", config) */
export function createCache(kind: string, config: ModelConfig, _options: CacheOptions = {}): KVCache {
  switch (kind) {
    case "none":
      return new NoCache(config.contextLength);
    case "full":
      return new FullCache(config);
    default:
      throw new ConfigError("cache", kind, `is not a cache strategy (choose one of: ${CACHE_KINDS.join(", ")})`);
  }
}
