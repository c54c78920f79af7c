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
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { Script } = require("node:vm");

// first, before compiling: the kernels' fused multiply-add build needs it on Node 20, and a cache is only
// accepted under the V8 flags it was written with
require("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd");

const file = join(__dirname, "tinylm.cjs");
const cacheFile = `${file}.cache`;
const mode = process.env.TINYLM_CODE_CACHE;

// The cache file holds the script it was written for (its length as 4 bytes, then its bytes), then V8's
// data. V8 itself checks only the script's length, so the bytes are compared here: a memcmp, where
// timestamps would not survive a copy or a build tool restoring its cached outputs.
const code = readFileSync(file);

/** The V8 cache data if the cache file was written for the script as it is now (else why not, a string). */
function readCache() {
  if (mode === "off" || mode === "write") return `TINYLM_CODE_CACHE=${mode}`;
  let bytes;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return "no cache file"; // none written: compile from source
  }
  const n = bytes.length >= 4 ? bytes.readUInt32LE(0) : -1;
  const fresh = n === code.length && bytes.length > 4 + n && bytes.subarray(4, 4 + n).equals(code);
  return fresh ? bytes.subarray(4 + n) : "tinylm.cjs changed after the cache was written";
}

const cache = readCache();
const params = ["exports", "require", "module", "__filename", "__dirname", "__tinylmImportUi"];
// strict, as the ES modules it was bundled from
const source = `(function (${params.join(", ")}) {"use strict";${code.toString("utf8")}\n})`;
const script = new Script(source, { filename: file, cachedData: typeof cache === "string" ? undefined : cache });
if (process.env.TINYLM_DEBUG === "1") {
  const why = typeof cache === "string" ? cache : script.cachedDataRejected ? "rejected by V8 (another Node version or V8 flags)" : "";
  process.stderr.write(`tinylm: code cache ${why ? `not used: ${why}` : "used"}\n`);
}
if (mode === "write") {
  process.on("exit", () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    const length = Buffer.alloc(4);
    length.writeUInt32LE(code.length);
    writeFileSync(tmp, Buffer.concat([length, code, script.createCachedData()]));
    renameSync(tmp, cacheFile);
  });
}
const bundle = { exports: {} };
// the Ink UI is an ES module beside this file; a script run by vm cannot import() without a Node flag, this file can
script.runInThisContext()(bundle.exports, require, bundle, file, __dirname, () => import("./ui/run.mjs"));
