// Decode at position t of a checkout's built packages, FMA on 2 threads and on 1 interleaved (30 rounds of 10
// steps, medians in µs): for comparing two checkouts by running this in each, alternately.
//   node packages/model/scripts/decode-threads.mjs <checkout root> [t = 9900]
const root = process.argv[2], T0 = Number(process.argv[3] ?? 9900);
await import(`${root}/apps/bench/dist/fma.js`);
const { createCache, makeConfig, TinyLM, } = await import(`${root}/packages/model/dist/index.js`);
const { zeros, setFma, setThreads, warmThreads, setDecodeBaseline } = await import(`${root}/packages/tensor/dist/index.js`);
setFma(true); setThreads(2); await warmThreads();
const config = makeConfig({ contextLength: 10000 });
const model = TinyLM.init(config, { seed: 1 });
const prompt = Array.from({ length: T0 }, (_, i) => (i * 7 + 3) % 20);
const cache = createCache("full", config);
const out = zeros([1, 20]);
model.forward(prompt, { cache, logits: "last" });
const res = { two: [], one: [] };
for (let r = 0; r < 30; r++) for (const v of ["two", "one"]) {
  setThreads(v === "two" ? 2 : 1);
  for (let s = 0; s < 10; s++) { const t0 = performance.now(); model.forward([1], { cache, out }); res[v].push(performance.now() - t0); }
  cache.truncate(T0);
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1] * 1000;
console.log(root.padEnd(16), `t=${T0} FMA 2 threads ${med(res.two).toFixed(0)} us, 1 thread ${med(res.one).toFixed(0)} us, ratio ${(med(res.one) / med(res.two)).toFixed(2)}`);
process.exit(0);
