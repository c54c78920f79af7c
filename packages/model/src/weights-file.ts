// Loading and saving .safetensors files. Saving writes a temporary file beside the target and renames
// it over, so a crash never leaves half a file.
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { WeightsError } from "./errors.js";
import { TinyLM } from "./model.js";
import { parseSafetensors, serializeSafetensors } from "./safetensors.js";

/** Reads a model (config from __metadata__.config, weights validated) from a .safetensors file. */
export function loadModel(path: string): TinyLM {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new WeightsError(`weights: cannot read "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path, or create one with "tinylm init --out ${basename(path)}"`);
  }
  try {
    const { config, weights } = parseSafetensors(bytes);
    return new TinyLM(config, weights);
  } catch (e) {
    if (e instanceof WeightsError) throw new WeightsError(`${e.message} (in "${path}")`, e.tensor);
    throw e;
  }
}

/** Writes the model to `path` atomically (temporary file + rename). */
export function saveModel(path: string, model: TinyLM): void {
  const bytes = serializeSafetensors(model.config, model.weights);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new WeightsError(`weights: cannot write "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
