// The bundled trained models and the measurements of what they learned.
export { BUNDLED_MODELS, DEFAULT_BUNDLED_MODEL, type BundledModel, isBundledModel, bundledModelPath, loadBundledModel, loadModelOrBundled, bundledModelMetadata } from "./bundled.js";
export { measureQuality, qualityPlan, qualityPrompts, heldoutLoss, continuationRate, topicAccuracy, QUALITY_SEEDS, type Quality, type QualityPlan } from "./quality.js";
