// Decode at position t in a fresh process with one query's attention always split over 2 threads (FMA):
// µs per step for each 100 steps in a row, and the same steps on one thread after. Shows how long a young
// process takes before the split pays (V8 compiles on the other core at first).
//   node packages/model/scripts/split-warmup.mjs <checkout root, built> [t = 1000]
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [rootArg, tArg = "1000"] = process.argv.slice(2);
const T0 = Number(tArg);
if (!rootArg || !existsSync(resolve(rootArg, "packages/model/dist/index.js")) || !Number.isInteger(T0) || T0 < 1 || T0 > 9990) {
  console.error("usage: split-warmup.mjs <checkout root, built> [t, an integer in 1..9990]");
  process.exit(2);
}
const at = (p) => pathToFileURL(resolve(rootArg, p)).href;
await import(at("apps/bench/dist/fma.js")); // lets V8 compile the FMA build (Node 20)
const { createCache, makeConfig, TinyLM } = await import(at("packages/model/dist/index.js"));
const { zeros, setFma, setThreads, warmThreads, setOneQuerySplit } = await import(at("packages/tensor/dist/index.js"));
setFma(true);
setThreads(2);
await warmThreads();
const config = makeConfig({ contextLength: 10000 });
const model = TinyLM.init(config, { seed: 1 });
const cache = createCache("full", config);
const out = zeros([1, config.vocabSize]);
model.forward(Array.from({ length: T0 }, (_, i) => (i * 7 + 3) % 20), { cache, logits: "last" });
const tokens = Array.from({ length: 20 }, (_, i) => [i]);
const run = (steps) => {
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    model.forward(tokens[s % 20], { cache, out });
    cache.truncate(T0);
  }
  return ((performance.now() - t0) / steps) * 1000;
};
setOneQuerySplit("always");
const split = Array.from({ length: 20 }, () => run(100).toFixed(0));
setThreads(1);
console.log(`t = ${T0}, µs per step by 100 steps, split on 2 threads: ${split.join(" ")}; then one thread: ${run(500).toFixed(0)}`);
process.exit(0);
