// createCache: the one place that maps a strategy name to its class.
import type { ModelConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { FullCache } from "./full-cache.js";
import { Int8Cache } from "./int8-cache.js";
import { NoCache } from "./no-cache.js";
import { validateCacheOptions, type CacheOptions } from "./options.js";
import { PagedCache } from "./paged-cache.js";
import { SinksCache } from "./sinks-cache.js";
import { SlidingWindowCache } from "./sliding-window-cache.js";
import type { KVCache } from "./types.js";

export {
  DEFAULT_BLOCK_SIZE, DEFAULT_SINKS, KEY_GROUP, KEY_SCALES, POSITION_SCHEMES, defaultBlockSize, defaultWindow, validateCacheOptions,
  type CacheOptions, type KeyScales, type PositionScheme,
} from "./options.js";

export const CACHE_KINDS = ["none", "full", "paged", "sliding-window", "sinks", "int8"] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

/**
 * A new, empty cache of strategy `kind` for a model of `config`; options a strategy does not use are
 * ignored, but every given option is validated. createCache("sinks", config, { window: 8, sinks: 2 })
 */
export function createCache(kind: string, config: ModelConfig, options: CacheOptions = {}): KVCache {
  validateCacheOptions(options);
  switch (kind as CacheKind) {
    case "none":
      return new NoCache(config.contextLength);
    case "full":
      return new FullCache(config);
    case "paged":
      return new PagedCache(config, options);
    case "sliding-window":
      return new SlidingWindowCache(config, options);
    case "sinks":
      return new SinksCache(config, options);
    case "int8":
      return new Int8Cache(config, options);
    default:
      throw new ConfigError("cache", kind, `is not a cache strategy (choose one of: ${CACHE_KINDS.join(", ")})`);
  }
}
