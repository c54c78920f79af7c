// Decode at position t with a checkout's built packages: FMA on 2 threads and on 1, interleaved (30 rounds
// of 10 steps each, medians in µs). For comparing two checkouts, run it in each by turns.
//   node packages/model/scripts/decode-threads.mjs <checkout root> [t = 9900]
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [rootArg, tArg = "9900"] = process.argv.slice(2);
const T0 = Number(tArg);
if (!rootArg || !existsSync(resolve(rootArg, "packages/model/dist/index.js")) || !Number.isInteger(T0) || T0 < 1 || T0 > 9990) {
  console.error("usage: decode-threads.mjs <checkout root, built> [t, an integer in 1..9990]");
  process.exit(2);
}
const at = (p) => pathToFileURL(resolve(rootArg, p)).href;
await import(at("apps/bench/dist/fma.js")); // lets V8 compile the FMA build (Node 20)
const { createCache, makeConfig, TinyLM } = await import(at("packages/model/dist/index.js"));
const { zeros, setFma, setThreads, warmThreads } = await import(at("packages/tensor/dist/index.js"));
setFma(true);
setThreads(2);
await warmThreads();
const config = makeConfig({ contextLength: 10000 });
const model = TinyLM.init(config, { seed: 1 });
const cache = createCache("full", config);
const out = zeros([1, config.vocabSize]);
model.forward(Array.from({ length: T0 }, (_, i) => (i * 7 + 3) % 20), { cache, logits: "last" });
const times = { 2: [], 1: [] };
for (let r = 0; r < 30; r++) {
  for (const threads of [2, 1]) {
    setThreads(threads);
    for (let s = 0; s < 10; s++) {
      const t0 = performance.now();
      model.forward([1], { cache, out });
      times[threads].push(performance.now() - t0);
    }
    cache.truncate(T0);
  }
}
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1] * 1000;
console.log(`${rootArg}: t = ${T0}, FMA, 2 threads ${median(times[2]).toFixed(0)} µs, 1 thread ${median(times[1]).toFixed(0)} µs, ratio ${(median(times[1]) / median(times[2])).toFixed(2)}`);
process.exit(0);
