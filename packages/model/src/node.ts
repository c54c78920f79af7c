// @tinylm/model/node — what needs Node's file system: loading and saving weights as .safetensors files.
// The main entry (@tinylm/model) runs anywhere JavaScript runs; parseSafetensors/serializeSafetensors there
// take and give bytes.
export { loadModel, saveModel, MAX_WEIGHTS_FILE_BYTES } from "./weights-file.js";
export {
  BUNDLED_MODELS, DEFAULT_BUNDLED_MODEL, type BundledModel, isBundledModel, bundledModelPath, loadBundledModel, loadModelOrBundled, bundledModelMetadata,
} from "./trained/bundled.js";
