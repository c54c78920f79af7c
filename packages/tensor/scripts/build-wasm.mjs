// Compiles assembly/*.ts (AssemblyScript) twice, -O3, no runtime, memory imported from JavaScript
// (src/backend/ owns every allocation): dist/tensor-kernels.wasm with WebAssembly SIMD, and
// dist/tensor-kernels-relaxed.wasm with relaxed SIMD too (fused multiply-add, `madd` in assembly/simd.ts),
// which the loader picks where WebAssembly.validate accepts it. Skips a compile when its .wasm is newer
// than every source. Run by `pnpm build` and before the package's tests.
import asc from "assemblyscript/asc";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sources = join(root, "assembly");
const builds = [
  { file: "tensor-kernels.wasm", features: ["simd"] },
  { file: "tensor-kernels-relaxed.wasm", features: ["simd", "relaxed-simd"] },
];

const newest = Math.max(
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
  ...readdirSync(sources).map((f) => statSync(join(sources, f)).mtimeMs),
);
for (const { file, features } of builds) {
  const outFile = join(root, "dist", file);
  let built = 0;
  try {
    built = statSync(outFile).mtimeMs;
  } catch {
    // not built yet
  }
  if (built > newest && !process.argv.includes("--force")) continue;
  mkdirSync(dirname(outFile), { recursive: true });
  const { error, stderr } = await asc.main([
    join(sources, "index.ts"),
    "--outFile", outFile,
    "-O3", "--noAssert",
    ...features.flatMap((f) => ["--enable", f]),
    "--runtime", "stub",
    "--importMemory",
    "--maximumMemory", "65536", // a maximum, so the loader can mark the import shared (any memory up to 4 GiB)
    "--use", "abort=",
  ]);
  if (error) {
    process.stderr.write(stderr.toString());
    process.stderr.write(`build-wasm: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`build-wasm: wrote ${outFile}\n`);
}
