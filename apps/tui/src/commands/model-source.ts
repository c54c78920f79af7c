// Where a command's model comes from: a weights file (whose config wins), or a seeded model built from
// the config flags. Config flags that disagree with the file are a user mistake, not silently ignored.
import { makeConfig, TinyLM, type InitOptions, type ModelConfig } from "@tinylm/model";
import { BUNDLED_MODELS, DEFAULT_BUNDLED_MODEL, isBundledModel, loadModelOrBundled } from "@tinylm/model/node";
import { Option } from "commander";
import { UsageError } from "./errors.js";
import { type Io, resolvePath } from "./io.js";
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

/** --weights random: the exercise's model, seeded random weights of the shape the flags give. */
export const RANDOM_WEIGHTS = "random";

/**
 * What --weights means: a bundled trained model's name, "random", or a file. Without --weights: the
 * default trained model, unless a shape flag (--context-length, --positional, --n-heads) asks for a
 * shape, which builds a random model (the trained models' shapes are fixed). null means random.
 */
export function resolveWeights(source: ModelSource): string | null {
  if (source.weights === RANDOM_WEIGHTS) return null;
  if (source.weights !== undefined) return source.weights;
  return FLAGS.some(([key]) => source[key] !== undefined) ? null : DEFAULT_BUNDLED_MODEL;
}

/** --weights as given, a file path resolved against the user's directory (a model name or "random" stays as it is). */
export const weightsFromUser = (io: Io, weights: string | undefined): string | undefined =>
  weights === undefined || weights === RANDOM_WEIGHTS || isBundledModel(weights) ? weights : resolvePath(io, weights);

/** --weights of the commands that run a model (generate, the UI). */
export const modelWeightsOption = (): Option =>
  new Option(
    "--weights <file>",
    `the model: a .safetensors file, a trained model (${BUNDLED_MODELS.join(", ")}; see packages/model/models/README.md), or ${RANDOM_WEIGHTS} for the exercise's seeded random weights (default: ${DEFAULT_BUNDLED_MODEL}; ${RANDOM_WEIGHTS} when --context-length, --positional or --n-heads is given)`,
  );

/** Loads the weights `source` names (checking the flags against them) or initialises a random model from the flags and `init` options. */
export function loadOrInitModel(source: ModelSource, init: InitOptions = {}): TinyLM {
  const weights = resolveWeights(source);
  if (weights !== null) {
    const model = loadModelOrBundled(weights);
    checkFlagsAgainstFile(source, model.config, weights);
    return model;
  }
  return TinyLM.init(configFromFlags(source), { ...init, seed: source.seed ?? 0 });
}
