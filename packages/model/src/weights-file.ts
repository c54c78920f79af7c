// Loading and saving .safetensors files. Saving writes a temporary file beside the target and renames
// it over, so a crash never leaves half a file.
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { MAX_PARAMETERS } from "./config.js";
import { ArgumentError, clip, StateError, WeightsError } from "./errors.js";
import { TinyLM } from "./model.js";
import { MAX_HEADER_BYTES, parseOwnSafetensors, serializeSafetensors } from "./safetensors.js";

/** The largest file loadModel reads: the header length, the largest header, MAX_PARAMETERS float32 values. */
export const MAX_WEIGHTS_FILE_BYTES = 8 + MAX_HEADER_BYTES + 4 * MAX_PARAMETERS;

/** What a file system entry is, in words, for an entry that is not a regular file. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a pipe (FIFO)";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * The bytes of the weights file at `path`. Its kind and size are checked before a byte is read, so a
 * directory, a device such as /dev/zero, a pipe or a file larger than any valid model fails at once.
 */
function readWeightsFile(path: string): Uint8Array {
  const shown = clip(path, 200);
  const cannot = (e: unknown): WeightsError =>
    new WeightsError(`weights: cannot read "${shown}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path, or create one with "tinylm init --out ${clip(basename(path), 60)}"`);
  const check = (st: Stats): number => {
    if (!st.isFile()) throw new WeightsError(`weights: "${shown}" is ${kindOf(st)}; expected a .safetensors file (create one with "tinylm init --out model.safetensors")`);
    if (st.size > MAX_WEIGHTS_FILE_BYTES) throw new WeightsError(`weights: "${shown}" is ${st.size.toLocaleString("en-US")} bytes, more than the ${MAX_WEIGHTS_FILE_BYTES.toLocaleString("en-US")} of the largest model (${MAX_PARAMETERS.toLocaleString("en-US")} parameters); it is not a tinylm weights file`);
    return st.size;
  };
  let fd: number;
  try {
    check(statSync(path)); // before opening: opening a pipe would wait for a writer
    fd = openSync(path, "r");
  } catch (e) {
    if (e instanceof WeightsError) throw e;
    throw cannot(e);
  }
  try {
    const size = check(fstatSync(fd)); // the file opened, in case the path changed meanwhile
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) break; // the file shrank: parse what is there (it reports the truncation)
      at += n;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } catch (e) {
    if (e instanceof WeightsError) throw e;
    throw cannot(e);
  } finally {
    closeSync(fd);
  }
}

/** Reads a model (config from __metadata__.config, weights validated) from a .safetensors file. */
export function loadModel(path: string): TinyLM {
  if (typeof path !== "string" || path === "") throw new ArgumentError("loadModel", "path", path, "is not a file path", "the path of a .safetensors file");
  const bytes = readWeightsFile(path);
  try {
    const { config, weights } = parseOwnSafetensors(bytes);
    return new TinyLM(config, weights);
  } catch (e) {
    if (e instanceof WeightsError) throw new WeightsError(`${e.message} (in "${clip(path, 200)}")`, e.tensor);
    throw e;
  }
}

/** n random bytes as hex, from the global Web Crypto (loaded on first use, unlike an import of node:crypto). */
function randomHex(n: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Writes the model to `path` atomically (temporary file + rename). */
export function saveModel(path: string, model: TinyLM): void {
  if (typeof path !== "string" || path === "") throw new ArgumentError("saveModel", "path", path, "is not a file path", "the path to write the .safetensors file to");
  if (!(model instanceof TinyLM)) throw new ArgumentError("saveModel", "model", model, "is not a TinyLM", "a model from TinyLM.init, new TinyLM or loadModel");
  if (model.disposed) throw new StateError("saveModel", "the model was disposed: its weights are gone; save before dispose()");
  const bytes = serializeSafetensors(model.config, model.weights);
  const tmp = join(dirname(path), `.${basename(path)}.${randomHex(6)}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new WeightsError(`weights: cannot write "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
