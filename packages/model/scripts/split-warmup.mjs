// Decode at position t in a fresh process with one query's attention always split over 2 threads (FMA):
// µs per step for each 100 steps in a row, and the same steps on one thread after. Shows how long a young
// process takes before the split pays (V8 compiles on the other core at first).
//   node packages/model/scripts/split-warmup.mjs <checkout root, built> [t = 1000]
import { decodeAt } from "./checkout.mjs";

const { T0, model, cache, out, tensor: { setThreads, setOneQuerySplit } } = await decodeAt("split-warmup.mjs", 1000);
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
