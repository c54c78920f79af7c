// Shared by the raw-kernel microbenchmarks (bench-linear.mjs, bench-attention.mjs): the modules to run
// (argv[2] or dist/tensor-kernels.wasm, and an optional reference module in argv[3] to compare bits with),
// each in its own 128 MiB memory, and a seeded LCG for the inputs.
import { readFileSync } from "node:fs";

const load = (path) => {
  const memory = new WebAssembly.Memory({ initial: 2048, maximum: 2048 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), { env: { memory } });
  return { k: inst.exports, memory };
};

/** [the module under test, the reference module if one was given]. */
export function loadModules(argv = process.argv) {
  const file = argv[2] ?? new URL("../dist/tensor-kernels.wasm", import.meta.url).pathname;
  return [load(file), ...(argv[3] ? [load(argv[3])] : [])];
}

let seed = 1;
/** Restarts the input sequence, so every module gets the same inputs. */
export const reseed = (s) => void (seed = s);
/** A uniform number in [-1, 1) from a 32-bit LCG. */
export const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
