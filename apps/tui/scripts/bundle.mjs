// Bundles the CLI for a fast cold start (`pnpm build` runs it after tsc; the bin points at dist/bundle/cli.js):
//   cli.js            the executable, scripts/bundle-loader.cjs: runs tinylm.cjs from V8's code cache of it
//   tinylm.cjs        the CLI and the library in one CommonJS script, so a cold `tinylm` reads one file
//                     instead of ~70 ES modules, and Node 20 can cache its compiled code (not an ES module's)
//   tinylm.cjs.cache  that code cache, written by one `tinylm generate` run here
//   ui/run.mjs        the Ink UI, imported only when it runs: an ES module (Ink and yoga-layout use top-level
//                     await, which a CommonJS script cannot), with its own copy of the library
// The wasm kernels come inlined (base64) with @tinylm/tensor, so the bundle needs no other file.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// --entry FILE --outdir DIR bundle another build of the CLI (the tests bundle their own scratch build)
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const entry = arg("--entry", join(root, "dist", "cli.js"));
const outdir = arg("--outdir", join(root, "dist", "bundle"));

// commander loads node:child_process when it loads (~4 ms of a cold start), only to spawn executable
// subcommands, which tinylm has none of: the bundle loads it on first use instead.
const EAGER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, ({ path }) => {
      const source = readFileSync(path, "utf8");
      if (!source.includes(EAGER_CHILD_PROCESS)) throw new Error(`bundle: ${path} no longer has "${EAGER_CHILD_PROCESS}"; update the lazy-child-process plugin`);
      return { contents: source.replace(EAGER_CHILD_PROCESS, "const childProcess = { get spawn() { return require('node:child_process').spawn; } };"), loader: "js" };
    });
  },
};

// cli.ts imports ./ui/run.js when the UI is to run: in tinylm.cjs that import goes through the loader
// (its __tinylmImportUi), which loads the UI's own bundle
const uiThroughLoader = {
  name: "ui-through-loader",
  setup(b) {
    b.onResolve({ filter: /^\.\/ui\/run\.js$/ }, () => ({ path: "ui", namespace: "tinylm-ui" }));
    b.onLoad({ filter: /.*/, namespace: "tinylm-ui" }, () => ({
      contents: "export const runTui = (options) => __tinylmImportUi().then((ui) => ui.runTui(options));",
      loader: "js",
    }));
  },
};

// In the workspace's packages, import.meta.url keeps naming the module's own file (bundled.ts finds the
// trained models beside it), written relative to the bundle; elsewhere it is the bundle's (the define below)
const ownImportMetaUrl = {
  name: "own-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/].*\.js$/ }, ({ path }) => {
      const source = readFileSync(path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const url = `new URL(${JSON.stringify(relative(outdir, path).split(sep).join("/"))}, __tinylmUrl).href`;
      return { contents: source.replaceAll("import.meta.url", url), loader: "js" };
    });
  },
};

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
};

rmSync(outdir, { recursive: true, force: true }); // chunks are named by content hash: drop the last build's
await build({
  ...common,
  entryPoints: [entry],
  outfile: join(outdir, "tinylm.cjs"),
  format: "cjs",
  supported: { "dynamic-import": false }, // import("node:readline") becomes require(): a vm script cannot import()
  plugins: [lazyChildProcess, uiThroughLoader, ownImportMetaUrl],
  define: { "import.meta.url": "__tinylmUrl" }, // the loader gives the script __filename, not import.meta
  banner: { js: "var __tinylmUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// the loader wraps the script in a function: a #! line there would be a syntax error
const script = join(outdir, "tinylm.cjs");
writeFileSync(script, readFileSync(script, "utf8").replace(/^#!.*\n/, ""));
await build({
  ...common,
  entryPoints: [join(dirname(entry), "ui", "run.js")],
  outdir: join(outdir, "ui"),
  outExtension: { ".js": ".mjs" },
  splitting: true,
  format: "esm",
  external: ["react-devtools-core"], // Ink imports it only under DEV=true; not installed
  // CommonJS dependencies (react) call require(): give the bundle one
  banner: { js: "import { createRequire as __tinylmRequire } from 'node:module'; const require = __tinylmRequire(import.meta.url);" },
});
writeFileSync(join(outdir, "package.json"), '{ "type": "commonjs" }\n'); // cli.js is a CommonJS file
copyFileSync(join(root, "scripts", "bundle-loader.cjs"), join(outdir, "cli.js"));

// The code cache: what a cold `tinylm generate` compiles, from the run itself. NODE_OPTIONS is cleared:
// V8 flags there would be recorded in the cache, and a run without them would reject it.
const run = spawnSync(process.execPath, [join(outdir, "cli.js"), "generate", "--prompt", "the cat sat", "--max-new-tokens", "50"], {
  encoding: "utf8",
  env: { ...process.env, NODE_OPTIONS: "", TINYLM_CODE_CACHE: "write" },
});
if (run.status !== 0) throw new Error(`bundle: the run that writes the code cache failed (${run.status}):\n${run.stderr}`);
