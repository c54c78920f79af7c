// Compiles assembly/*.ts (AssemblyScript) to dist/tensor-kernels.wasm: WebAssembly SIMD, -O3, no runtime,
// memory imported from JavaScript (src/backend/ owns every allocation). Skips the compile when the .wasm is
// newer than every source. Run by `pnpm build` and before the package's tests.
import asc from "assemblyscript/asc";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sources = join(root, "assembly");
const outFile = join(root, "dist", "tensor-kernels.wasm");

const newest = Math.max(
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
  ...readdirSync(sources).map((f) => statSync(join(sources, f)).mtimeMs),
);
let built = 0;
try {
  built = statSync(outFile).mtimeMs;
} catch {
  // not built yet
}
if (built > newest && !process.argv.includes("--force")) process.exit(0);

mkdirSync(dirname(outFile), { recursive: true });
const { error, stderr } = await asc.main([
  join(sources, "index.ts"),
  "--outFile", outFile,
  "-O3", "--noAssert",
  "--enable", "simd",
  "--runtime", "stub",
  "--importMemory",
  "--use", "abort=",
]);
if (error) {
  process.stderr.write(stderr.toString());
  process.stderr.write(`build-wasm: ${error.message}\n`);
  process.exit(1);
}
process.stdout.write(`build-wasm: wrote ${outFile}\n`);
