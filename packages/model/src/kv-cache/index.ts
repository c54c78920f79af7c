// createCache: the one place that maps a strategy name to its class.
import { didYouMean, optionsObject } from "../arguments.js";
import { validateConfig, type ModelConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { FullCache } from "./full-cache.js";
import { Int8Cache } from "./int8-cache.js";
import { NoCache } from "./no-cache.js";
import { CACHE_OPTION_KEYS, validateCacheOptions, type CacheOptions } from "./options.js";
import { PagedCache } from "./paged-cache.js";
import { SinksCache } from "./sinks-cache.js";
import { SlidingWindowCache } from "./sliding-window-cache.js";
import type { KVCache } from "./types.js";

export {
  CACHE_OPTION_KEYS, DEFAULT_BLOCK_SIZE, DEFAULT_SINKS, KEY_GROUP, KEY_SCALES, POSITION_SCHEMES, defaultBlockSize, defaultWindow, validateCacheOptions,
  type CacheOptions, type KeyScales, type PositionScheme,
} from "./options.js";

export const CACHE_KINDS = ["none", "full", "paged", "sliding-window", "sinks", "int8"] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

/**
 * A new, empty cache of strategy `kind` for a model of `config`; options a strategy does not use are
 * ignored, but every given option is validated. createCache("sinks", config, { window: 8, sinks: 2 })
 */
export function createCache(kind: string, config: ModelConfig, options: CacheOptions = {}): KVCache {
  validateConfig(config);
  validateCacheOptions(optionsObject("createCache", "options", options, CACHE_OPTION_KEYS));
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
      throw new ConfigError("cache", kind, `is not a cache strategy${typeof kind === "string" ? didYouMean(kind, CACHE_KINDS) : ""} (choose one of: ${CACHE_KINDS.join(", ")})`);
  }
}
