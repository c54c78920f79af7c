// Decode at position t with a checkout's built packages: FMA on 2 threads and on 1, interleaved (30 rounds
// of 10 steps each, medians in µs). For comparing two checkouts, run it in each by turns.
//   node packages/model/scripts/decode-threads.mjs <checkout root> [t = 9900]
import { decodeAt } from "./checkout.mjs";

const { root: rootArg, T0, model, cache, out, tensor: { setThreads } } = await decodeAt("decode-threads.mjs", 9900);
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
