// A one-off fuzz of the weights loader, bigger than the suite's: N mutated copies of the default weights
// (byte flips, truncations, bytes appended, header-length changes, mutated JSON: dtypes, shapes, offsets,
// nesting, metadata, NaN/Inf values) loaded through the library (parse, build the model, generate 5 tokens),
// and M of them through the CLI (`tinylm generate --weights F`), each with a 10 s limit. Prints the count of
// every outcome. Run after `pnpm build`, from the repository root:
//   node tools/fuzz/fuzz-loader.mjs [N=10000] [M=300] [seed=1]
// Library cases run in a worker thread watched by the main thread: a case that takes over 10 s is a hang,
// the worker is replaced, and the run goes on with the next case.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const root = fileURLToPath(new URL("../..", import.meta.url));
const model = await import(join(root, "packages/model/dist/index.js"));
const LIMIT_MS = 10_000;
const MAX_MESSAGE = 400;

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The i-th mutated file of the run with `seed` (deterministic: the worker and a rerun rebuild it). */
function mutate(good, i, seed) {
  const rand = mulberry32(seed * 1_000_003 + i);
  const int = (n) => Math.floor(rand() * n);
  const pick = (xs) => xs[int(xs.length)];
  const n = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n)));
  const data = good.subarray(8 + n);
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  const assemble = (text, body = data, length) => {
    const json = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + json.length + body.length);
    new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
    out.set(json, 8);
    out.set(body, 8 + json.length);
    return out;
  };
  const weird = () => pick([
    () => "[".repeat(10_000) + "]".repeat(10_000),
    () => "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000),
    () => JSON.stringify("x".repeat(int(2) ? 10_000_000 : 100)),
    () => JSON.stringify(Array.from({ length: int(2) ? 1_000_000 : 3 }, (_, k) => k)),
    () => JSON.stringify(pick([1e9, -1, 2 ** 30, 2 ** 53, 1.5, 0, 1e308, -0, 64, 128, 10_001, 4096])),
    () => JSON.stringify(pick(["F16", "F64", "BF16", "I32", "f32", "", "F32 "])),
    () => JSON.stringify(pick([null, true, {}, [], [1], [1, 2, 3], [-4, 8], [0, 1e20], ["0", "4"], { x: 1 }])),
  ])();
  const withMark = (h, text) => JSON.stringify(h).replace('"@@MARK@@"', text);
  const kind = int(9);
  let bytes;
  if (kind === 0) { // byte flips
    bytes = good.slice();
    for (let k = 1 + int(8); k > 0; k--) bytes[int(pick([bytes.length, 8 + n, 64]))] = int(256);
  } else if (kind === 1) bytes = good.slice(0, int(good.length)); // truncation
  else if (kind === 2) { bytes = new Uint8Array(good.length + 1 + int(64)); bytes.set(good); } // bytes after the data
  else if (kind === 3) { // header length changed
    bytes = good.slice();
    const v = int(2) ? BigInt(n + int(129) - 64) : BigInt(Math.floor(rand() * 2 ** 53)) * BigInt(1 + int(2048));
    new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  } else if (kind === 4) { // a tensor's dtype, shape or offsets
    const h = structuredClone(header);
    h[pick(names)][pick(["dtype", "shape", "data_offsets"])] = "@@MARK@@";
    bytes = assemble(withMark(h, weird()));
  } else if (kind === 5) { // a config value, an unknown key, the config string, or __metadata__ itself
    const h = structuredClone(header);
    const r = int(3);
    if (r === 0) h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), [pick(["n_layers", "d_model", "d_ff", "n_heads", "context_length", "vocab_size", "norm_eps", "positional", "zz"])]: "@@V@@" }).replace('"@@V@@"', weird());
    else if (r === 1) h.__metadata__.config = "@@MARK@@";
    else h.__metadata__ = "@@MARK@@";
    bytes = assemble(r === 0 ? JSON.stringify(h) : withMark(h, weird()));
  } else if (kind === 6) { // nesting or extra entries in the header
    const h = structuredClone(header);
    h[pick(["extra", pick(names) + ".x", "__metadata__x", "x".repeat(int(2) ? 1_000_000 : 10)])] = "@@MARK@@";
    bytes = assemble(withMark(h, weird()));
  } else if (kind === 7) { // one tensor's offsets shifted, the data grown or shrunk
    const h = structuredClone(header);
    const name = pick(names);
    h[name].data_offsets = h[name].data_offsets.map((x) => x + 4 * (int(33) - 16));
    const body = new Uint8Array(Math.max(0, data.length + 4 * (int(33) - 16)));
    body.set(data.subarray(0, body.length));
    bytes = assemble(JSON.stringify(h), body);
  } else { // a NaN, an infinity or a huge finite value in the data
    const body = data.slice();
    new DataView(body.buffer).setFloat32(4 * int(body.length / 4), pick([NaN, Infinity, -Infinity, 3e38, -1e30, 1e20]), true);
    bytes = assemble(new TextDecoder().decode(good.subarray(8, 8 + n)), body);
  }
  return { kind: ["flip", "truncate", "append", "header-length", "tensor-json", "metadata", "extra-entry", "offsets", "values"][kind], bytes };
}

/** Loads and generates; returns the outcome's name. */
function libraryOutcome(bytes) {
  let m;
  try {
    const { config, weights } = model.parseSafetensors(bytes);
    m = new model.TinyLM(config, weights);
  } catch (e) {
    return classify(e, "load");
  }
  try {
    model.generateSync(m, "the cat sat", { maxNewTokens: 5 });
    return "clean load, generated";
  } catch (e) {
    return classify(e, "generate");
  }
}

function classify(e, stage) {
  const typed = [model.WeightsError, model.ConfigError, model.ContextError, model.VocabularyError].some((k) => e instanceof k);
  const long = typeof e?.message === "string" && (e.message.length > MAX_MESSAGE || e.message.includes("\n")) ? `, message over ${MAX_MESSAGE} chars or multi-line` : "";
  return `${stage}: ${typed ? "typed" : "UNTYPED"} ${e?.name ?? typeof e}${long}`;
}

if (!isMainThread) {
  const { seed, good } = workerData;
  parentPort.on("message", (i) => {
    const { kind, bytes } = mutate(good, i, seed);
    parentPort.postMessage({ i, kind, outcome: libraryOutcome(bytes) });
  });
} else {
  const N = Number(process.argv[2] ?? 10_000), M = Number(process.argv[3] ?? 300), seed = Number(process.argv[4] ?? 1);
  const good = model.serializeSafetensors(model.makeConfig(), model.TinyLM.init(model.makeConfig(), { seed: 0 }).weights);
  const counts = new Map();
  const count = (key) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const t0 = performance.now();
  await new Promise((done) => {
    let worker, timer, next = 0;
    const start = () => {
      worker = new Worker(fileURLToPath(import.meta.url), { workerData: { seed, good } });
      worker.on("message", ({ kind, outcome }) => { clearTimeout(timer); count(`library | ${outcome}`); count(`  kind ${kind}`); send(); });
      worker.on("error", (e) => { clearTimeout(timer); count(`library | CRASH ${e.name}`); start(); send(); });
    };
    const send = () => {
      if (next >= N) { worker.terminate(); return done(); }
      const i = next++;
      timer = setTimeout(() => { count(`library | HANG over ${LIMIT_MS / 1000} s`); worker.terminate(); start(); send(); }, LIMIT_MS);
      worker.postMessage(i);
    };
    start();
    send();
  });
  const libSeconds = ((performance.now() - t0) / 1000).toFixed(1);
  const dir = mkdtempSync(join(tmpdir(), "tinylm-fuzz-"));
  const cli = join(root, "apps/tui/dist/cli.js");
  let longest = 0;
  for (let i = 0; i < M; i++) {
    const { bytes } = mutate(good, N + i, seed);
    const file = join(dir, `m${i}.safetensors`);
    writeFileSync(file, bytes);
    const r = spawnSync(process.execPath, [cli, "generate", "--weights", file, "--prompt", "the cat sat", "--max-new-tokens", "5"], { encoding: "utf8", timeout: LIMIT_MS, maxBuffer: 64 << 20 });
    const lines = r.stderr.trimEnd() === "" ? 0 : r.stderr.trimEnd().split("\n").length;
    longest = Math.max(longest, r.stderr.length);
    if (r.error?.code === "ETIMEDOUT") count(`cli | HANG over ${LIMIT_MS / 1000} s`);
    else count(`cli | exit ${r.status}${r.signal ? ` signal ${r.signal}` : ""}, ${lines} stderr line${lines === 1 ? "" : "s"}${r.stderr.length > MAX_MESSAGE ? `, over ${MAX_MESSAGE} chars` : ""}`);
    rmSync(file);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`seed ${seed}: ${N} files through the library in ${libSeconds} s, ${M} through the CLI; longest CLI stderr ${longest} chars`);
  for (const [key, n] of [...counts].sort()) console.log(`${String(n).padStart(6)}  ${key}`);
}
