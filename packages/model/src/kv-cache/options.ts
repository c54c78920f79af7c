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
  /** How `int8` scales its keys: one scale per position ("token", the default) or per channel ("channel", KIVI). */
  readonly keyScales?: KeyScales;
  /**
   * The positions the window strategies embed: "absolute" (the default; token p at p) or "cache" (token p
   * at its place in the cache when it arrives, min(p, window + sinks - 1): never past the cache's size).
   */
  readonly positions?: PositionScheme;
}

export type PositionScheme = "absolute" | "cache";
export const POSITION_SCHEMES: readonly PositionScheme[] = ["absolute", "cache"];

export type KeyScales = "token" | "channel";
export const KEY_SCALES: readonly KeyScales[] = ["token", "channel"];

/**
 * Positions per block for `paged`: 64, so a block's keys are 16 KiB at d = 64 (still less than a 7B model's
 * 16-position block: 16 × 4,096 fp16 keys, 128 KiB per layer). Each block the attention kernel moves to starts a new memory stream the
 * hardware prefetcher has to pick up; at 4 KiB blocks (16 positions) that costs ~40% of decode at
 * 1,000 positions against `full` (packages/tensor/scripts/bench-cache-attention.mjs), at 16 KiB ~10%.
 */
export const DEFAULT_BLOCK_SIZE = 64;

/** The block size `paged` uses without one given: DEFAULT_BLOCK_SIZE, at most the context. */
export const defaultBlockSize = (config: ModelConfig): number => Math.max(1, Math.min(DEFAULT_BLOCK_SIZE, config.contextLength));

/** KIVI's group: per-channel key scales cover 32 positions; the newest (up to 31) stay float until theirs is full. */
export const KEY_GROUP = 32;

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
export const CACHE_OPTION_KEYS: readonly string[] = ["window", "sinks", "blockSize", "keyScales", "positions"];

export function validateCacheOptions(options: CacheOptions): void {
  if (typeof options !== "object" || options === null) optionsObject("cache options", "options", options, CACHE_OPTION_KEYS); // throws
  const { window, sinks, blockSize, keyScales, positions } = options;
  if (positions !== undefined && !POSITION_SCHEMES.includes(positions)) {
    throw new ConfigError("positions", positions, `must be one of: ${POSITION_SCHEMES.join(", ")} (the positions a window cache embeds)`);
  }
  if (window !== undefined && !inRange(window, 1)) {
    throw new ConfigError("window", window, `must be an integer in [1, ${MAX_CONTEXT_LENGTH}] (positions kept by the window strategies)`);
  }
  if (sinks !== undefined && !inRange(sinks, 0)) {
    throw new ConfigError("sinks", sinks, `must be an integer in [0, ${MAX_CONTEXT_LENGTH}] (leading positions kept by the sinks strategy)`);
  }
  if (keyScales !== undefined && !KEY_SCALES.includes(keyScales)) {
    throw new ConfigError("key_scales", keyScales, `must be one of: ${KEY_SCALES.join(", ")} (one int8 key scale per position, or per channel as in KIVI)`);
  }
  if (blockSize !== undefined && !inRange(blockSize, 1)) {
    throw new ConfigError("block_size", blockSize, `must be an integer in [1, ${MAX_CONTEXT_LENGTH}] (positions per block of the paged strategy)`);
  }
}
