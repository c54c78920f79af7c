// Building the model the UI runs: from a .safetensors file (its config comes with it) or seeded weights.
import { generateSync, makeConfig, TinyLM } from "@tinylm/model";
import { loadModelOrBundled } from "@tinylm/model/node";
import { type ModelSettings, modelSettingsOf } from "./settings.js";

export type ModelFactory = (settings: ModelSettings) => TinyLM;

/** The model for `settings`; throws the library's typed errors (WeightsError, ConfigError). */
export const buildModel: ModelFactory = (settings) => {
  if (settings.weightsPath !== null) return loadModelOrBundled(settings.weightsPath);
  const config = makeConfig({ contextLength: settings.contextLength, positional: settings.positional, nHeads: settings.nHeads });
  return TinyLM.init(config, { seed: settings.seed });
};

/** The model settings a model was built from (only those keys), the shape fields read from its config. */
export function settingsOfModel(model: TinyLM, base: ModelSettings): ModelSettings {
  const { contextLength, positional, nHeads } = model.config;
  return { ...modelSettingsOf(base), contextLength, positional, nHeads };
}

/**
 * Runs a few tokens through both code paths (recompute and cached) so the JIT has compiled them
 * before the user's first run, whose latencies would otherwise show compilation, not the cache.
 */
export function warmUp(model: TinyLM): void {
  const C = model.config.contextLength;
  for (const prompt of [[0], [0, 1, 3], [0, 1, 3, 4, 0, 5]]) {
    if (prompt.length >= C) continue;
    const tokens = Math.min(12, C - prompt.length);
    for (const cache of ["none", "full", "none", "full"]) generateSync(model, prompt, { maxNewTokens: tokens, cache });
  }
}
