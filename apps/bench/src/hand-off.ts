// The round trip of one cache line between this thread and a worker spinning on it (as the kernel pool's
// workers spin for jobs): what a hand-off to the pool costs at the least here. On a VM it moves with where
// the host puts the two cores (docs/performance.md), and with it what splitting one query's attention pays.
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
    return times.sort((a, b) => a - b)[runs >> 1]!;
  } finally {
    Atomics.store(shared, 0, -1);
    await worker.terminate();
  }
}
