#!/usr/bin/env node
// The `tinylm` executable (scripts/bundle.mjs copies it to dist/bundle/cli.js). It runs tinylm.cjs, the CLI
// and the library as one script, from V8's code cache of it (tinylm.cjs.cache) when the cache was written
// for this very file: the functions a `tinylm generate` uses are then neither parsed nor compiled again,
// which is most of what a cold start spends on JavaScript. Node 22 does this itself for ES modules
// (module.enableCompileCache); Node 20 offers it for classic scripts only, hence a CommonJS bundle.
// Without a cache, or with one V8 rejects (another Node version or V8 flags), it compiles from source.
//   TINYLM_CODE_CACHE=off    ignore the cache        TINYLM_CODE_CACHE=write  (re)write it at exit
//   TINYLM_DEBUG=1           say on stderr whether the cache was used, and if not why
"use strict";
const { readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

// first, before compiling: the kernels' fused multiply-add build needs it on Node 20, and a cache is only
// accepted under the V8 flags it was written with
require("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd");

const file = join(__dirname, "tinylm.cjs");
const cacheFile = `${file}.cache`;
const mode = process.env.TINYLM_CODE_CACHE;

/** The file's size and modification time (like Python's .pyc): a cache records the ones it was written for. */
function stampOf(path) {
  const st = statSync(path);
  return Buffer.from(new Float64Array([st.size, st.mtimeMs]).buffer);
}

/** The V8 cache data if the cache file was written for the script as it is now (else why not, a string). */
function readCache(stamp) {
  if (mode === "off" || mode === "write") return `TINYLM_CODE_CACHE=${mode}`;
  let bytes;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return "no cache file"; // none written: compile from source
  }
  const fresh = bytes.length > stamp.length && bytes.subarray(0, stamp.length).equals(stamp);
  return fresh ? bytes.subarray(stamp.length) : "tinylm.cjs changed after the cache was written";
}

const stamp = stampOf(file);
const cache = readCache(stamp);
const params = ["exports", "require", "module", "__filename", "__dirname", "__tinylmImportUi"];
// strict, as the ES modules it was bundled from
const source = `(function (${params.join(", ")}) {"use strict";${readFileSync(file, "utf8")}\n})`;
const script = new Script(source, { filename: file, cachedData: typeof cache === "string" ? undefined : cache });
if (process.env.TINYLM_DEBUG === "1") {
  const why = typeof cache === "string" ? cache : script.cachedDataRejected ? "rejected by V8 (another Node version or V8 flags)" : "";
  process.stderr.write(`tinylm: code cache ${why ? `not used: ${why}` : "used"}\n`);
}
if (mode === "write") {
  process.on("exit", () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]));
    renameSync(tmp, cacheFile);
  });
}
const bundle = { exports: {} };
// the Ink UI is an ES module beside this file; a script run by vm cannot import() without a Node flag, this file can
script.runInThisContext()(bundle.exports, require, bundle, file, __dirname, () => import("./ui/run.mjs"));
