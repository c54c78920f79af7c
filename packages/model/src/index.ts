// @tinylm/model — the public surface: config, vocabulary, weights, the model, caches, generation, summary.
export { type ModelConfig, type Positional, DEFAULT_CONFIG, MAX_CONTEXT_LENGTH, MAX_D_MODEL, MAX_D_FF, MAX_N_LAYERS, MAX_PARAMETERS, makeConfig, validateConfig, configToJson, configFromJson } from "./config.js";
export { ConfigError, VocabularyError, WeightsError, ContextError, ArgumentError, StateError, RollbackError } from "./errors.js";
export { VOCAB, type Word, encode, decode, isWord, nearestWord, words } from "./vocab.js";
export { type Weights, type Block, type Linear, type Norm, type InitOptions, type ParamSpec, initWeights, parameterSpecs, getParameter } from "./weights.js";
export { parseSafetensors, serializeSafetensors, MAX_HEADER_BYTES } from "./safetensors.js";
export { TinyLM, type ForwardOptions, type AttentionObserver } from "./model.js";
export {
  attentionCrossover, attentionMacsPerPair, attentionPairs, cacheBytesHeld, cachedStepFlops, costConstants, cumulativeMacs, forwardMacs, generationFlops,
  generationMacs, localExponent, prefillFlops, prefillMacs, recomputeStepFlops, speedupClosedForm, speedupSlopes, stepMacs, stepWalkThrough, weightMacsPerToken,
  type AttentionCount, type CostConstants, type CostDimensions, type CostKind,
} from "./cost.js";
export { formatCostTables, formatFlops, formatLongRun, formatRateTable } from "./cost-tables.js";
export { summarize, type ModelSummary, type SummaryGroup, type SummaryRow } from "./summary.js";
export { Sampler, validateSampling, type SamplingOptions } from "./sampling.js";
export { sampleMany, type SampleManyOptions, type SampleManyResult } from "./samples.js";
export { speculate, checkSpeculation, type SpeculateOptions, type SpeculateResult } from "./speculative.js";
export { probabilities, drawFrom } from "./distribution.js";
export { generate, generateSync, generateSteps, type GenerateOptions, type GenerateResult, type TokenEvent, type StopReason } from "./generate.js";
export { type KVCache, type KVView, type KVRows, type KVBlocks, type KVQuantized, type CacheBytes } from "./kv-cache/types.js";
export { viewRows, viewLength } from "./kv-cache/view.js";
export { MAX_IDLE_CACHES } from "./kv-cache/idle-caches.js";
export {
  createCache, CACHE_KINDS, CACHE_OPTION_KEYS, type CacheKind, type CacheOptions, validateCacheOptions, defaultWindow, defaultBlockSize, DEFAULT_SINKS, DEFAULT_BLOCK_SIZE,
  KEY_GROUP, KEY_SCALES, type KeyScales, POSITION_SCHEMES, type PositionScheme,
} from "./kv-cache/index.js";
export { NoCache } from "./kv-cache/no-cache.js";
export { FullCache } from "./kv-cache/full-cache.js";
export { PagedCache } from "./kv-cache/paged-cache.js";
export { SlidingWindowCache } from "./kv-cache/sliding-window-cache.js";
export { SinksCache } from "./kv-cache/sinks-cache.js";
export { Int8Cache } from "./kv-cache/int8-cache.js";
export { PrefixCache } from "./kv-cache/prefix-cache.js";
export { referenceForward } from "./reference.js";
export { TextGenerator, type TextOptions, checkText, allowedNext, allowedIn, advance, readText, START as LANGUAGE_START, type Check, type ReaderState, DETERMINERS, ADJECTIVES, NOUNS, INTRANSITIVE_VERBS, PREPOSITIONS, VERBS } from "./language/index.js";
export { measureQuality, qualityPlan, qualityPrompts, heldoutLoss, continuationRate, topicAccuracy, QUALITY_SEEDS, type Quality, type QualityPlan } from "./trained/quality.js";
export { defaultStrategies, defaultWindows, parseStrategy, type EvalStrategy, evaluate, evalPlan, EVAL_SEEDS, type EvalOptions, type EvalPlan, type EvalReport, type StrategyEval, attentionMass, isSink, SINK_SHARE, type LayerMass } from "./eval/index.js";
