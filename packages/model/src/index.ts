// @tinylm/model — the public surface: config, vocabulary, weights, the model, caches, generation, summary.
export { type ModelConfig, type Positional, DEFAULT_CONFIG, MAX_CONTEXT_LENGTH, makeConfig, validateConfig, configToJson, configFromJson } from "./config.js";
export { ConfigError, VocabularyError, WeightsError, ContextError } from "./errors.js";
export { VOCAB, type Word, encode, decode, isWord, nearestWord, words } from "./vocab.js";
export { type Weights, type Block, type Linear, type Norm, type InitOptions, type ParamSpec, initWeights, parameterSpecs, getParameter } from "./weights.js";
export { parseSafetensors, serializeSafetensors, MAX_HEADER_BYTES } from "./safetensors.js";
export { loadModel, saveModel } from "./weights-file.js";
export { TinyLM, type ForwardOptions, type AttentionObserver } from "./model.js";
export { summarize, type ModelSummary, type SummaryGroup, type SummaryRow } from "./summary.js";
export { Sampler, validateSampling, type SamplingOptions } from "./sampling.js";
export { generate, generateSync, generateSteps, type GenerateOptions, type GenerateResult, type TokenEvent, type StopReason } from "./generate.js";
export { type KVCache, type KVView, type CacheBytes } from "./kv-cache/types.js";
export { createCache, CACHE_KINDS, type CacheKind, type CacheOptions } from "./kv-cache/index.js";
export { NoCache } from "./kv-cache/no-cache.js";
export { FullCache } from "./kv-cache/full-cache.js";
