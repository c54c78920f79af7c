// Where a command's model comes from: a weights file (whose config wins), or a seeded model built from
// the config flags. Config flags that disagree with the file are a user mistake, not silently ignored.
import { makeConfig, TinyLM, type InitOptions, type ModelConfig } from "@tinylm/model";
import { loadModel } from "@tinylm/model/node";
import { UsageError } from "./errors.js";
import type { ConfigFlags } from "./options.js";

const FLAGS = [
  ["contextLength", "--context-length", "context_length"],
  ["positional", "--positional", "positional"],
  ["nHeads", "--n-heads", "n_heads"],
] as const;

/** DEFAULT_CONFIG with the given flags on top, validated (a ConfigError names the bad field). */
export function configFromFlags(flags: ConfigFlags): ModelConfig {
  const overrides: Partial<Record<keyof ConfigFlags, unknown>> = {};
  for (const [key] of FLAGS) if (flags[key] !== undefined) overrides[key] = flags[key];
  return makeConfig(overrides as Partial<ModelConfig>);
}

/** Throws a UsageError for the first flag whose value differs from the weights file's config. */
export function checkFlagsAgainstFile(flags: ConfigFlags, config: ModelConfig, path: string): void {
  for (const [key, flag, field] of FLAGS) {
    const given = flags[key];
    if (given !== undefined && given !== config[key]) {
      throw new UsageError(`${flag} ${given} disagrees with the weights file "${path}" (${field} ${config[key]}); the config comes from the file, so drop ${flag}`);
    }
  }
}

export interface ModelSource extends ConfigFlags {
  readonly weights?: string;
  readonly seed?: number;
}

/** Loads `weights` (checking the flags against it) or initialises a model from the flags and `init` options. */
export function loadOrInitModel(source: ModelSource, init: InitOptions = {}): TinyLM {
  if (source.weights !== undefined) {
    const model = loadModel(source.weights);
    checkFlagsAgainstFile(source, model.config, source.weights);
    return model;
  }
  return TinyLM.init(configFromFlags(source), { ...init, seed: source.seed ?? 0 });
}
