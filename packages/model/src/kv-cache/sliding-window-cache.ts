// `sliding-window` (Mistral's rolling buffer): keeps the last W positions in a ring buffer; each token attends
// to those W only (itself included). Equal to a recompute with the banded mask {window: W, sinks: 0}.
// Default W = context_length / 2 (defaultWindow). Memory: W rows per layer, fixed, whatever the length
// (plus a scratch during a prefill that evicts; see ring-cache.ts). With sinusoidal positions it generates
// past context_length indefinitely; with learned ones it stops at context_length (no embedding past it).
import { validateConfig, type ModelConfig } from "../config.js";
import { defaultWindow, validateCacheOptions, type CacheOptions } from "./options.js";
import { RingCache } from "./ring-cache.js";

export class SlidingWindowCache extends RingCache {
  constructor(config: ModelConfig, options: CacheOptions = {}) {
    validateConfig(config);
    validateCacheOptions(options);
    super("sliding-window", config, options.window ?? defaultWindow(config), 0, options.positions);
  }
}
