// `sinks` (StreamingLLM, Xiao et al. 2023): keeps the first S positions (the "attention sinks" that
// softmax leans on) plus the last W; each token attends to those. Equal to a recompute with the mask
// {window: W, sinks: S}. Defaults: S = 4 (DEFAULT_SINKS, the paper's choice), W = context_length / 2
// (defaultWindow). Memory: S + W rows per layer, fixed (plus a scratch during a prefill that evicts; see
// ring-cache.ts). Past context_length as sliding-window: indefinitely with sinusoidal positions only.
import { validateConfig, type ModelConfig } from "../config.js";
import { DEFAULT_SINKS, defaultWindow, validateCacheOptions, type CacheOptions } from "./options.js";
import { RingCache } from "./ring-cache.js";

export class SinksCache extends RingCache {
  constructor(config: ModelConfig, options: CacheOptions = {}) {
    validateConfig(config);
    validateCacheOptions(options);
    super("sinks", config, options.window ?? defaultWindow(config), options.sinks ?? DEFAULT_SINKS, options.positions);
  }
}
