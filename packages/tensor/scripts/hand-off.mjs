// The round trip of one cache line between two threads: the main thread writes a number into a
// SharedArrayBuffer, a worker spinning on it writes it back, 200,000 times; five runs, ns per round trip.
// What a hand-off to the pool's spinning workers costs at the least on this machine (a VM's two cores
// may sit far apart on the host: docs/performance.md).
//   node packages/tensor/scripts/hand-off.mjs
import { Worker } from "node:worker_threads";

const shared = new Int32Array(new SharedArrayBuffer(128)); // slot 0: the main thread's, slot 16: the worker's (another line)
const worker = new Worker(
  `const { workerData } = require("node:worker_threads");
   const a = new Int32Array(workerData);
   for (;;) {
     let v;
     while ((v = Atomics.load(a, 0)) === Atomics.load(a, 16));
     if (v < 0) break;
     Atomics.store(a, 16, v);
   }`,
  { eval: true, workerData: shared.buffer },
);
await new Promise((resolve) => setTimeout(resolve, 300)); // the worker up and spinning
const N = 200_000;
let v = 0;
for (let run = 0; run < 5; run++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    Atomics.store(shared, 0, ++v);
    while (Atomics.load(shared, 16) !== v);
  }
  console.log(`round trip ${(Number(process.hrtime.bigint() - t0) / N).toFixed(0)} ns`);
}
Atomics.store(shared, 0, -1);
await worker.terminate();
