// Microbenchmark of one query's attention split over two threads (KernelDispatch.attentionRecord), by
// phase: the record's kernel alone, the whole split with the exps on this thread and with the exps split
// too (what the dispatcher does from ONE_QUERY_EXPS_MIN_KEYS visible keys, threads.ts), and the split's
// phases timed one by one (the scores on the pool; the exps and their sum on this thread, or the exps on
// the pool then the rest of their sum here; that rest alone; the value pass on the pool). FMA where the runtime
// has it, 2 threads; medians of 7 runs of 3,000 calls, in µs. Run after `pnpm build`, with the flag that
// lets Node 20 compile the FMA build:
//   node --experimental-wasm-relaxed-simd scripts/bench-one-query.mjs [keys=1000]
// It reads the dispatcher's internals (its pool, its kernels, its state block): a tool, not an API.
import { CAUSAL, KernelProgram, allocInt32, kernelZeros, setFma, setThreads, warmThreads } from "../dist/index.js";
import { loadedWasm } from "../dist/backend/backend.js";

const S = Number(process.argv[2] ?? 1000), d = 64, N = 3000;
setFma(true);
setThreads(2);
if ((await warmThreads()) < 2) console.log("(one thread: no worker came up)");
const K = loadedWasm().kernels;
const q = kernelZeros([1, d]), out = kernelZeros([1, d]), keys = kernelZeros([S, d]), values = kernelZeros([S, d]);
for (const t of [q, keys, values]) for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(i * 0.37) * 0.5;
const positions = allocInt32(S);
for (let i = 0; i < S; i++) positions[i] = i;
const p = KernelProgram.create(1);
p.attentionAt(q, out, 1, keys, values, positions, CAUSAL);
const record = p.at, words = p.words;
words[10] = S; // the record at position S - 1: S keys, the query at S - 1
words[13] = S - 1;
const pool = K.pool, k = K.k, state = K.oneQueryState(d);
const parts = 4, columns = 2; // what the dispatcher uses on 2 threads: 4 score parts, 2 column chunks of 32
const time = (f) => {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) f();
  return ((performance.now() - t0) / N) * 1000;
};
const phases = {
  "kernel alone": () => k.run_program(record, 0, 1, S - 1, 0),
  "split, exps here": () => {
    K.splitPause = 0;
    K.oneQueryExpsMinKeys = Infinity;
    K.attentionRecord(record, 1, S, 2 ** 31 - 1, d);
  },
  "split, exps split": () => {
    K.splitPause = 0;
    K.oneQueryExpsMinKeys = 0;
    K.attentionRecord(record, 1, S, 2 ** 31 - 1, d);
  },
  "scores (4 parts, with begin)": () => {
    k.attention1_begin(record, 0, state);
    pool.args[0] = state;
    pool.args[1] = parts;
    pool.run(k, 3, K.variant, parts, 0);
  },
  "exps and sum": () => k.attention1_weights(state, parts),
  "max, exps on the pool (2 stretches), sum": () => {
    k.attention1_max(state, parts);
    pool.args[0] = state;
    pool.args[1] = 2;
    pool.run(k, 5, K.variant, 2, 0);
    k.attention1_sum(state, 2);
  },
  "rest of the sum": () => k.attention1_sum(state, 2),
  "values (2 column chunks)": () => {
    pool.args[0] = state;
    for (let c = 0; c <= columns; c++) pool.cuts[c] = (d / columns) * c;
    pool.run(k, 4, K.variant, columns, 0);
  },
};
const runs = Object.fromEntries(Object.keys(phases).map((n) => [n, []]));
for (let r = 0; r < 7; r++) for (const [n, f] of Object.entries(phases)) runs[n].push(time(f));
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`one query over ${S} keys, d = ${d}: ` + Object.entries(runs).map(([n, a]) => `${n} ${median(a).toFixed(2)}`).join(" | ") + " (µs)");
process.exit(0);
