// Bundles the CLI into one ES module, dist/bundle/cli.js, so a cold `tinylm` resolves and reads one file
// instead of ~70 (Node's ESM loader costs ~2 ms per module on this VM). The Ink UI, imported only when
// it runs, becomes a second chunk beside it. Runs after tsc (`pnpm build`); the bin points at the bundle.
// The wasm kernels come inlined (base64) with @tinylm/tensor, so the bundle needs no file beside it.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// --entry FILE --outdir DIR bundle another build of the CLI (the tests bundle their own scratch build)
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const outdir = arg("--outdir", join(root, "dist", "bundle"));
rmSync(outdir, { recursive: true, force: true }); // chunks are named by content hash: drop the last build's
await build({
  entryPoints: [arg("--entry", join(root, "dist", "cli.js"))],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
  external: ["react-devtools-core"], // Ink imports it only under DEV=true; not installed
  // CommonJS dependencies (commander, react) call require(): give the bundle one
  banner: { js: "import { createRequire as __tinylmRequire } from 'node:module'; const require = __tinylmRequire(import.meta.url);" },
});
