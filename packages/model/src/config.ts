// ModelConfig: the shape of the model, with the exercise's defaults, and its validation.
// In files (safetensors __metadata__.config, --json) the keys are snake_case, as PyTorch users expect.
import { knownConfigKeys } from "./arguments.js";
import { ConfigError } from "./errors.js";
import { VOCAB } from "./vocab.js";

export type Positional = "learned" | "sinusoidal";

export interface ModelConfig {
  readonly vocabSize: number; // 20: the fixed vocabulary
  readonly dModel: number; // 64: width of the residual stream
  readonly nLayers: number; // 3 transformer blocks
  readonly nHeads: number; // 1 head; d_model must divide evenly into heads
  readonly dFF: number; // 128: hidden width of the MLP
  readonly contextLength: number; // 32 by default, up to 10,000 (MAX_CONTEXT_LENGTH)
  readonly positional: Positional; // learned table (GPT-2) or fixed sinusoids (Vaswani et al.)
  readonly normEps: number; // 1e-5: PyTorch LayerNorm's default
}

export const MAX_CONTEXT_LENGTH = 10_000;

/**
 * Upper bounds of the other sizes. A config comes from files and from callers, so it is checked before
 * anything is built from it: every bound keeps one tensor far below the 2³¹-element limit of a typed array
 * and the whole model within memory a laptop has. d_model ≤ 8,192 (a [d, d] matrix is 256 MiB);
 * d_ff ≤ 32,768 (4 × the widest d_model); n_layers ≤ 1,024 and n_heads ≤ d_model (a head is at least 1 wide);
 * and all parameters together ≤ MAX_PARAMETERS, 2²⁸ floats (1 GiB), so a bad n_layers cannot make
 * TinyLM.init allocate without end.
 */
export const MAX_D_MODEL = 8_192;
export const MAX_D_FF = 32_768;
export const MAX_N_LAYERS = 1_024;
export const MAX_PARAMETERS = 2 ** 28;

export const DEFAULT_CONFIG: ModelConfig = Object.freeze({
  vocabSize: 20,
  dModel: 64,
  nLayers: 3,
  nHeads: 1,
  dFF: 128,
  contextLength: 32,
  positional: "learned",
  normEps: 1e-5,
});

const SNAKE: Record<keyof ModelConfig, string> = {
  vocabSize: "vocab_size",
  dModel: "d_model",
  nLayers: "n_layers",
  nHeads: "n_heads",
  dFF: "d_ff",
  contextLength: "context_length",
  positional: "positional",
  normEps: "norm_eps",
};

function positiveInt(config: ModelConfig, key: keyof ModelConfig, max = Number.MAX_SAFE_INTEGER): void {
  const v = config[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? "a positive integer" : `an integer in [1, ${max}]`;
    throw new ConfigError(SNAKE[key], v, `must be ${range}`);
  }
}

/** Returns `config` if every field is valid, else throws a ConfigError naming the field and why. */
export function validateConfig(config: ModelConfig): ModelConfig {
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new ConfigError("config", config, "must be a ModelConfig object (build one with makeConfig)");
  for (const key of Object.keys(SNAKE) as (keyof ModelConfig)[]) {
    if (config[key] === undefined) throw new ConfigError(SNAKE[key], undefined, "is missing: a ModelConfig has every field (build one with makeConfig)");
  }
  if (config.vocabSize !== VOCAB.length) {
    throw new ConfigError("vocab_size", config.vocabSize, `must be ${VOCAB.length}, the size of the fixed vocabulary`);
  }
  positiveInt(config, "dModel", MAX_D_MODEL);
  positiveInt(config, "nLayers", MAX_N_LAYERS);
  positiveInt(config, "nHeads", config.dModel);
  positiveInt(config, "dFF", MAX_D_FF);
  positiveInt(config, "contextLength", MAX_CONTEXT_LENGTH);
  if (config.dModel % config.nHeads !== 0) {
    throw new ConfigError("n_heads", config.nHeads, `must divide d_model=${config.dModel} evenly (d_model is split into heads)`);
  }
  if (config.positional !== "learned" && config.positional !== "sinusoidal") {
    throw new ConfigError("positional", config.positional, `must be "learned" or "sinusoidal"`);
  }
  if (config.positional === "sinusoidal" && config.dModel % 2 !== 0) {
    throw new ConfigError("d_model", config.dModel, "must be even for sinusoidal positions (sin/cos pairs)");
  }
  if (typeof config.normEps !== "number" || !(config.normEps > 0) || !Number.isFinite(config.normEps)) {
    throw new ConfigError("norm_eps", config.normEps, "must be a positive finite number");
  }
  const params = parameterCount(config);
  if (params > MAX_PARAMETERS) {
    throw new ConfigError("n_layers", config.nLayers, `with d_model=${config.dModel}, d_ff=${config.dFF}, context_length=${config.contextLength} gives ${params.toLocaleString("en-US")} parameters, more than the ${MAX_PARAMETERS.toLocaleString("en-US")} (1 GiB of float32) a model may have`);
  }
  return config;
}

/** Parameters of a valid-sized config, in closed form (the sum over parameterSpecs). */
function parameterCount(c: ModelConfig): number {
  const d = c.dModel, F = c.dFF, V = c.vocabSize;
  const block = 4 * d + 4 * (d * d + d) + (F * d + F) + (d * F + d); // 2 norms, q k v o, fc1, fc2
  return V * d + (c.positional === "learned" ? c.contextLength * d : 0) + c.nLayers * block + 2 * d + V * d + V;
}

/** DEFAULT_CONFIG with `overrides`, validated. makeConfig({ contextLength: 10_000 }) */
export function makeConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  knownConfigKeys(overrides, Object.keys(SNAKE));
  return Object.freeze(validateConfig({ ...DEFAULT_CONFIG, ...overrides }));
}

/** The snake_case JSON object stored in safetensors metadata and printed by --json. */
export function configToJson(config: ModelConfig): Record<string, number | string> {
  validateConfig(config);
  const out: Record<string, number | string> = {};
  for (const key of Object.keys(SNAKE) as (keyof ModelConfig)[]) out[SNAKE[key]] = config[key];
  return out;
}

/** Parses the snake_case object back; a missing or unknown key is a ConfigError. */
export function configFromJson(json: unknown): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError("config", json, "must be a JSON object with snake_case keys");
  }
  const src = json as Record<string, unknown>;
  const known = new Set(Object.values(SNAKE));
  for (const key of Object.keys(src)) {
    if (!known.has(key)) throw new ConfigError(key, src[key], `is not a config key (known: ${[...known].join(", ")})`);
  }
  const out: Record<string, unknown> = {};
  for (const [camel, snake] of Object.entries(SNAKE)) {
    if (!(snake in src)) throw new ConfigError(snake, undefined, "is missing");
    out[camel] = src[snake];
  }
  return Object.freeze(validateConfig(out as unknown as ModelConfig));
}
