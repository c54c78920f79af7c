// @tinylm/model/node — what needs Node's file system: loading and saving weights as .safetensors files.
// The main entry (@tinylm/model) runs anywhere JavaScript runs; parseSafetensors/serializeSafetensors there
// take and give bytes.
export { loadModel, saveModel } from "./weights-file.js";
export { BUNDLED_MODELS, DEFAULT_BUNDLED_MODEL, type BundledModel, isBundledModel, bundledModelPath, loadBundledModel, loadModelOrBundled, bundledModelMetadata, measureQuality, qualityPlan, qualityPrompts, heldoutLoss, continuationRate, topicAccuracy, QUALITY_SEEDS, type Quality, type QualityPlan } from "./trained/index.js";
