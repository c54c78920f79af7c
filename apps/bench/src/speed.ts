// `pnpm --filter @tinylm/bench run speed`: the speed targets, measured and printed (never asserted).
//   node dist/speed.js [--backend wasm|js|both] [--quick]
// Prints, per backend: cached decode ms/token at t = 32, 1,000 and ~9,900 (context_length 10,000), the
// exercise's sweep at 1,000 generated tokens with and without the cache, a 1,000-token prefill, heap bytes
// allocated per decoded token, memory while generating 2,000 tokens, and a per-kernel breakdown of one
// decode step at t = 32 and t = 10,000.
import { FullCache, TinyLM, generateSync, makeConfig } from "@tinylm/model";
import {
  allocInt32, argmax, attention, backendInfo, CAUSAL, copyRows, embedding, kernelZeros, layerNorm, linear, prepareAttention,
  prepareLayerNorm, prepareLinear, setBackend, zeros, type BackendName, type Tensor,
} from "@tinylm/tensor";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { heapBytesPerStep } from "./heap-per-step.js";
import { describeMachine } from "./machine.js";
import { median } from "./stats.js";

const args = process.argv.slice(2);
const which = args.includes("--backend") ? args[args.indexOf("--backend") + 1]! : "wasm";
const quick = args.includes("--quick");
const backends: BackendName[] = which === "both" ? ["wasm", "js"] : [which as BackendName];

const config = makeConfig({ contextLength: 10_000 });
const model = TinyLM.init(config, { seed: 1 });
const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => (i * 7 + 3) % 20);
const fmt = (ms: number): string => (ms < 0.1 ? ms.toFixed(4) : ms < 10 ? ms.toFixed(3) : ms.toFixed(1));

/**
 * Median ms per cached decode step at positions t..t+batch-1 (the cache is refilled to t before each batch),
 * through the path generate() takes for a decode step: forward(…, { cache, out }) into one reused [1, V]
 * tensor, nothing allocated. The next token is the row's argmax (a plain loop: choosing it is the sampler's
 * work, not the model's).
 */
function decodeAt(t: number, batches: number, batch: number): number {
  const cache = new FullCache(config);
  const out = zeros([1, config.vocabSize]); // [1, V]
  const token = [1];
  const prompt = ids(t);
  const times: number[] = [];
  for (let s = 0; s < batches; s++) {
    cache.reset();
    model.forward(prompt, { cache });
    const t0 = performance.now();
    for (let b = 0; b < batch; b++) {
      const logits = model.forward(token, { cache, out }).data;
      let best = 0;
      for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
      token[0] = best;
    }
    times.push((performance.now() - t0) / batch);
  }
  return median(times);
}

/** generate()'s own median decode step from a 32-token prompt (positions 33..48), the sampler included. */
function generateStepAt32(runs: number): number {
  return median(Array.from({ length: runs }, () => generateSync(model, ids(32), { maxNewTokens: 17, cache: "full" }).msPerToken));
}

function best<T>(n: number, f: () => T): number {
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

/** ns per call of f, best of 5 runs of `reps` calls. */
function nsPerCall(reps: number, f: () => void): number {
  return (best(5, () => {
    for (let i = 0; i < reps; i++) f();
  }) * 1e6) / reps;
}

/** h[0] = table[id] + pos[p] (the model's embedding of one token; contiguous rows). */
function embedRow(table: Tensor, pos: Tensor, id: number, p: number, h: Tensor): void {
  const E = table.data, P = pos.data, H = h.data, d = h.shape[1]!;
  const e = table.offset + id * table.stride[0]!, q = pos.offset + p * pos.stride[0]!;
  for (let j = 0; j < d; j++) H[h.offset + j] = E[e + j]! + P[q + j]!;
}

/**
 * One decode step's kernels as the model runs them (prepared ops over kernel-memory buffers, q/k/v packed
 * into one [3d, d] linear), timed one at a time: [label, ns per call, calls per token]. Rows with 0 calls are
 * for reference only (the public ops, with their per-call checks and staging).
 */
function breakdown(t: number): [string, number, number][] {
  const { dModel: d, dFF: F, vocabSize: V, nHeads, normEps: eps } = config;
  const w = model.weights, blk = w.blocks[0]!;
  const x = kernelZeros([1, d]), h = kernelZeros([1, d]), hid = kernelZeros([1, F]), logits = kernelZeros([1, V]), qkv = kernelZeros([1, 3 * d]);
  for (let i = 0; i < d; i++) x.data[i] = Math.sin(i);
  const Wqkv = kernelZeros([3 * d, d]), bqkv = kernelZeros([3 * d]);
  [blk.attn.q, blk.attn.k, blk.attn.v].forEach((p, i) => {
    copyRows(p.weight, Wqkv, i * d);
    for (let j = 0; j < d; j++) bqkv.data[i * d + j] = p.bias.get(j);
  });
  const K = kernelZeros([t, d]), Vv = kernelZeros([t, d]);
  for (let i = 0; i < K.data.length; i++) {
    K.data[i] = Math.sin(i * 0.37);
    Vv.data[i] = Math.cos(i * 0.11);
  }
  const positions = allocInt32(t);
  for (let i = 0; i < t; i++) positions[i] = i;
  const y = kernelZeros([1, d]);
  const reps = t > 1000 ? 200 : 20_000;
  const L = config.nLayers;
  const ln = prepareLayerNorm(x, blk.ln1.weight, blk.ln1.bias, eps, h);
  const qkvOp = prepareLinear(x, Wqkv, bqkv, qkv);
  const attend = prepareAttention(x, y, nHeads);
  const o = prepareLinear(x, blk.attn.o.weight, blk.attn.o.bias, h, { accumulate: true });
  const fc1 = prepareLinear(x, blk.mlp.fc1.weight, blk.mlp.fc1.bias, hid, { relu: true });
  const fc2 = prepareLinear(hid, blk.mlp.fc2.weight, blk.mlp.fc2.bias, h, { accumulate: true });
  const head = prepareLinear(x, w.lmHead.weight, w.lmHead.bias, logits);
  const k = qkv.lo(0, d).hi(1, d);
  return [
    ["embedding + position (row gather + add)", nsPerCall(20_000, () => embedRow(w.tokEmb.weight, w.posEmb!.weight, 3, t - 1, h)), 1],
    ["layerNorm [1, 64]", nsPerCall(20_000, ln), 2 * L + 1],
    ["linear q|k|v packed [1,64]x[192,64]", nsPerCall(20_000, qkvOp), L],
    ["cache append k, v (copyRows)", nsPerCall(20_000, () => copyRows(k, K, t - 1)), 2 * L],
    [`attention over S=${t}`, nsPerCall(reps, () => attend(K, Vv, positions, t - 1, CAUSAL)), L],
    ["linear o + residual", nsPerCall(20_000, o), L],
    ["linear fc1 + relu [64->128]", nsPerCall(20_000, fc1), L],
    ["linear fc2 + residual [128->64]", nsPerCall(20_000, fc2), L],
    ["lm_head [64->20]", nsPerCall(20_000, head), 1],
    ["(public ops) embedding [1, 64]", nsPerCall(20_000, () => embedding(w.tokEmb.weight, [3])), 0],
    ["(public ops) linear [1,64]x[64,64]", nsPerCall(20_000, () => linear(x, blk.attn.o.weight, blk.attn.o.bias, y)), 0],
    ["(public ops) layerNorm [1, 64]", nsPerCall(20_000, () => layerNorm(x, blk.ln1.weight, blk.ln1.bias, eps, h)), 0],
    [`(public ops) attention over S=${t}`, nsPerCall(reps, () => attention(x, K, Vv, { queryStart: t - 1, keyPositions: positions, out: y })), 0],
  ];
}

/**
 * Heap bytes per decoded token at t (full cache), through forward(…, { cache, out }) with a reused token
 * array and logits tensor (the allocation-free path), and through plain forward(…, { cache }), which returns
 * a new logits tensor each call. See heap-per-step.ts for how collections are kept out of the count.
 */
async function heapBytesPerToken(t: number, steps: number): Promise<{ reused: number; fresh: number }> {
  const cache = new FullCache(config);
  const tokens = [1];
  const out = zeros([1, config.vocabSize]);
  const row = out.pick(0, null);
  const options = { cache, out };
  let id = 1;
  const reusedStep = (): void => {
    tokens[0] = id;
    model.forward(tokens, options);
    id = argmax(row);
  };
  const freshStep = (): void => {
    id = argmax(model.forward([id], { cache }).pick(0, null));
  };
  const prompt = ids(t);
  const measure = (step: () => void): Promise<number> => {
    const setup = (): void => {
      cache.reset();
      model.forward(prompt, { cache });
      for (let i = 0; i < 1000; i++) step(); // JIT warm-up (compiling allocates too; keep it out of the count)
    };
    return heapBytesPerStep(step, steps, setup, 7);
  };
  return { reused: await measure(reusedStep), fresh: await measure(freshStep) };
}

function memoryRun(): void {
  const long = generateSync(model, "the cat sat", { maxNewTokens: 2000, cache: "full" });
  const formula = 2 * config.nLayers * config.dModel * 4 * config.contextLength;
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(
    `2,000 tokens at context 10,000 (fresh process): cache allocated ${long.cacheBytes.allocated} B (formula 2·L·d·4·C = ${formula}), ` +
      `used ${long.cacheBytes.used} B; RSS ${rss.toFixed(0)} MB (target < 150)`,
  );
}

if (args.includes("--memory")) {
  setBackend(backends[0]!);
  memoryRun();
  process.exit(0);
}

const m = describeMachine();
console.log(`tinylm speed — ${m.cpu}, ${m.cores} cores, node ${m.node}, one thread; context_length 10,000, d=64, 3 blocks`);
for (const name of backends) {
  setBackend(name);
  const info = backendInfo();
  console.log(`\n== backend: ${info.name}${info.reason ? ` (${info.reason})` : ""}`);
  decodeAt(64, 50, 16); // warm up the JIT
  const d32 = decodeAt(32, quick ? 50 : 300, 16);
  const d1k = decodeAt(1000, quick ? 10 : 40, 16);
  const d10k = decodeAt(9_900, quick ? 3 : 9, 10);
  console.log(`cached decode, ms/token:   t=32 ${fmt(d32)}   t=1,000 ${fmt(d1k)}   t=9,900 ${fmt(d10k)}   (targets 0.012 / 0.065 / 0.55)`);
  console.log(`  generate()'s own median step from a 32-token prompt, sampler included: ${fmt(generateStepAt32(quick ? 30 : 200))} ms`);
  const prefillCache = new FullCache(config); // reused and reset, as generate() reuses its cache
  const prefillOf = (logits: "all" | "last") => best(quick ? 3 : 9, () => (prefillCache.reset(), model.forward(ids(1000), { cache: prefillCache, logits })));
  prefillOf("last"); // warm up (and fault in the cache's pages once)
  console.log(`prefill of a 1,000-token prompt, the last logits (as generate() prefills): ${fmt(prefillOf("last"))} ms   (target 20)`);
  console.log(`  every position's logits (forward's default, the exercise's recompute): ${fmt(prefillOf("all"))} ms`);
  const cached = best(quick ? 1 : 3, () => generateSync(model, "the cat sat", { maxNewTokens: 1000, cache: "full" }));
  console.log(`sweep, 1,000 generated tokens with the cache: ${fmt(cached)} ms   (target 40)`);
  if (!quick || name === "wasm") {
    const none = best(1, () => generateSync(model, "the cat sat", { maxNewTokens: 1000, cache: "none" }));
    console.log(`sweep, 1,000 generated tokens without the cache: ${fmt(none)} ms   (target 2,000)`);
  }
  const heap32 = await heapBytesPerToken(32, 2000), heap1k = await heapBytesPerToken(1000, 2000);
  const b = (x: number): string => (Number.isNaN(x) ? "n/a (a collection in every trial)" : `${x.toFixed(1)} B`);
  console.log(`JS heap allocated per decoded token (full cache), forward(…, { cache, out }): t=32 ${b(heap32.reused)}, t=1,000 ${b(heap1k.reused)}   (target 0)`);
  console.log(`  forward(…, { cache }) returning a new logits tensor: t=32 ${b(heap32.fresh)}, t=1,000 ${b(heap1k.fresh)}`);
  // in a fresh process, so the caches of the runs above do not count
  const self = fileURLToPath(import.meta.url);
  process.stdout.write(execFileSync(process.execPath, [self, "--memory", "--backend", name], { encoding: "utf8" }));
  for (const t of [32, 10_000]) {
    console.log(`\nbreakdown of one decode step at t=${t} (ns per call × calls per token):`);
    let total = 0;
    const rows = breakdown(t);
    for (const [label, ns, calls] of rows.filter((r) => r[2] > 0)) {
      total += ns * calls;
      console.log(`  ${label.padEnd(38)} ${ns.toFixed(0).padStart(8)} ns × ${String(calls).padStart(2)} = ${(ns * calls / 1000).toFixed(2).padStart(7)} µs`);
    }
    console.log(`  ${"sum of kernels".padEnd(38)} ${(total / 1000).toFixed(2).padStart(27)} µs`);
    for (const [label, ns] of rows.filter((r) => r[2] === 0)) console.log(`  ${label.padEnd(38)} ${ns.toFixed(0).padStart(8)} ns per call`);
  }
}
