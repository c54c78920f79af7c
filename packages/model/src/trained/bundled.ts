// The trained models that ship with the package (packages/model/models/*.safetensors, written by
// tools/train/train.py; the model card is models/README.md). Node only: they are read from disk.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WeightsError } from "../errors.js";
import { parseOwnSafetensors } from "../safetensors.js";
import { loadModel } from "../weights-file.js";
import { TinyLM } from "../model.js";

/**
 * exercise: the exercise's exact shape (learned positions, context 32, 105,172 parameters);
 * long: the same size with sinusoidal positions, context 1,024, trained on texts of 256 words;
 * draft: a 1-block model of the long kind (a draft for speculative decoding).
 */
export const BUNDLED_MODELS = ["exercise", "long", "draft"] as const;
export type BundledModel = (typeof BUNDLED_MODELS)[number];

/** The model the product loads when none is named. */
export const DEFAULT_BUNDLED_MODEL: BundledModel = "exercise";

/** True for the name of a bundled model. */
export function isBundledModel(name: string): name is BundledModel {
  return (BUNDLED_MODELS as readonly string[]).includes(name);
}

let modelsDir: string | undefined;

/**
 * The package's folder of bundled models (packages/model/models): two folders up from this module
 * (dist/trained/), where the package has it; else, for a bundle that moved this code elsewhere, found
 * through the package's own name (Node's resolver costs ~3 ms of a cold start the first time).
 */
function defaultModelsDir(): string {
  if (modelsDir === undefined) {
    const beside = fileURLToPath(new URL("../../models/", import.meta.url));
    modelsDir = existsSync(join(beside, `${DEFAULT_BUNDLED_MODEL}.safetensors`))
      ? beside
      : join(dirname(createRequire(import.meta.url).resolve("@tinylm/model/package.json")), "models");
  }
  return modelsDir;
}

/** The absolute path of a bundled model's weights file (in `dir`, by default the package's models folder). */
export function bundledModelPath(name: BundledModel, dir = defaultModelsDir()): string {
  return join(dir, `${name}.safetensors`);
}

/** The path as it is in the repository, for the restore hint. */
const repoPath = (name: BundledModel): string => `packages/model/models/${name}.safetensors`;

function readBundled(name: BundledModel, dir: string): Uint8Array {
  if (!isBundledModel(name)) throw new WeightsError(`weights: "${String(name)}" is not a bundled model; the bundled models are ${BUNDLED_MODELS.join(", ")}`);
  try {
    return readFileSync(bundledModelPath(name, dir));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new WeightsError(`weights: the bundled model file ${repoPath(name)} cannot be read (${code}); restore it with \`git checkout -- ${repoPath(name)}\``);
  }
}

/**
 * Loads a bundled model; a missing or damaged file is a one-line WeightsError saying how to restore it.
 * `dir` replaces the package's models folder (for tests).
 */
export function loadBundledModel(name: BundledModel = DEFAULT_BUNDLED_MODEL, dir = defaultModelsDir()): TinyLM {
  const bytes = readBundled(name, dir);
  try {
    const { config, weights } = parseOwnSafetensors(bytes);
    return new TinyLM(config, weights);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WeightsError(`weights: the bundled model file ${repoPath(name)} is damaged (${why}); restore it with \`git checkout -- ${repoPath(name)}\``);
  }
}

/**
 * The training run's record stored in a bundled model's __metadata__ (all strings): run, preset, seed,
 * corpus_seed, steps, train_loss, heldout_loss, …; the config is left out (the model carries it).
 */
export function bundledModelMetadata(name: BundledModel = DEFAULT_BUNDLED_MODEL, dir = defaultModelsDir()): Record<string, string> {
  const bytes = readBundled(name, dir);
  try {
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as { __metadata__?: Record<string, string> };
    const { config: _config, ...rest } = header.__metadata__ ?? {};
    return rest;
  } catch (e) {
    throw new WeightsError(`weights: the bundled model file ${repoPath(name)} is damaged (${(e as Error).message}); restore it with \`git checkout -- ${repoPath(name)}\``);
  }
}

/** A bundled model by name ("exercise", "long", "draft"), else a .safetensors file at that path. */
export function loadModelOrBundled(nameOrPath: string): TinyLM {
  return isBundledModel(nameOrPath) ? loadBundledModel(nameOrPath) : loadModel(nameOrPath);
}
