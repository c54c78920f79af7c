// The tuning knobs of the cache strategies, their defaults (with the reason for each) and their validation.
import { MAX_CONTEXT_LENGTH, type ModelConfig } from "../config.js";
import { optionsObject } from "../arguments.js";
import { ConfigError } from "../errors.js";

export interface CacheOptions {
  /** Positions kept by the window strategies (sliding-window, sinks), the current one included. */
  readonly window?: number;
  /** Leading positions always kept by `sinks`. */
  readonly sinks?: number;
  /** Positions per block for `paged`. */
  readonly blockSize?: number;
}

/** vLLM's default block size: small enough that the last, partly filled block wastes little. */
export const DEFAULT_BLOCK_SIZE = 16;

/** StreamingLLM keeps 4 initial tokens as attention sinks. */
export const DEFAULT_SINKS = 4;

/**
 * Half the context (at least 1): small enough that eviction shows within a learned context, large enough
 * that every query still sees a good share of it. defaultWindow(makeConfig()) === 16
 */
export const defaultWindow = (config: ModelConfig): number => Math.max(1, Math.floor(config.contextLength / 2));

const inRange = (x: number, min: number): boolean => Number.isInteger(x) && x >= min && x <= MAX_CONTEXT_LENGTH;

/**
 * Throws a ConfigError for any given option outside its range (an option a strategy does not use is still
 * checked). The upper bound, MAX_CONTEXT_LENGTH, keeps a typo from reserving gigabytes: the window
 * strategies allocate their rows up front.
 */
/** The names of CacheOptions' fields. */
export const CACHE_OPTION_KEYS: readonly string[] = ["window", "sinks", "blockSize"];

export function validateCacheOptions(options: CacheOptions): void {
  if (typeof options !== "object" || options === null) optionsObject("cache options", "options", options, CACHE_OPTION_KEYS); // throws
  const { window, sinks, blockSize } = options;
  if (window !== undefined && !inRange(window, 1)) {
    throw new ConfigError("window", window, `must be an integer in [1, ${MAX_CONTEXT_LENGTH}] (positions kept by the window strategies)`);
  }
  if (sinks !== undefined && !inRange(sinks, 0)) {
    throw new ConfigError("sinks", sinks, `must be an integer in [0, ${MAX_CONTEXT_LENGTH}] (leading positions kept by the sinks strategy)`);
  }
  if (blockSize !== undefined && !inRange(blockSize, 1)) {
    throw new ConfigError("block_size", blockSize, `must be an integer in [1, ${MAX_CONTEXT_LENGTH}] (positions per block of the paged strategy)`);
  }
}
