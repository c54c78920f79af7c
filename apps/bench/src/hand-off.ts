// The round trip of one cache line between this thread and a worker spinning on it (as the kernel pool's
// workers spin for jobs): what a hand-off to the pool costs at the least here. On a VM it moves with where
// the host puts the two cores (docs/performance.md), and with it what splitting one query's attention pays.
// The speed script prints it; alone: `node apps/bench/dist/hand-off.js` (five runs of 200,000, ns each).
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const SPINNER = `const { workerData } = require("node:worker_threads");
const a = new Int32Array(workerData);
for (;;) {
  let v;
  while ((v = Atomics.load(a, 0)) === Atomics.load(a, 16));
  if (v < 0) break;
  Atomics.store(a, 16, v);
}`;

/** Median ns of a round trip over `runs` runs of `n` (the worker is started and stopped here). */
export async function handOffNs(runs = 5, n = 50_000): Promise<number> {
  return median(await handOffRuns(runs, n));
}

const median = (times: number[]): number => [...times].sort((a, b) => a - b)[times.length >> 1]!;

/** ns of a round trip in each of `runs` runs of `n`. */
async function handOffRuns(runs: number, n: number): Promise<number[]> {
  const shared = new Int32Array(new SharedArrayBuffer(128)); // slot 0 ours, slot 16 the worker's: two lines
  const worker = new Worker(SPINNER, { eval: true, workerData: shared.buffer });
  try {
    await new Promise((resolve) => setTimeout(resolve, 100)); // the worker up and spinning
    const times: number[] = [];
    let v = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        Atomics.store(shared, 0, ++v);
        while (Atomics.load(shared, 16) !== v);
      }
      times.push(Number(process.hrtime.bigint() - t0) / n);
    }
    return times;
  } finally {
    Atomics.store(shared, 0, -1);
    await worker.terminate();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const ns of await handOffRuns(5, 200_000)) console.log(`round trip ${ns.toFixed(0)} ns`);
}
