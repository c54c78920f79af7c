// A persistent pool of worker threads over the kernels' shared memory. Each worker instantiates the same
// kernel builds on the same WebAssembly.Memory and waits for work in a control block of that memory.
//
// A job is one kernel call cut into chunks of rows (`cuts`). The caller writes the job, publishes it
// (CLAIM := generation · 1024), wakes the workers, then claims chunks itself; every participant claims
// the next chunk with a compare-and-swap on CLAIM until none is left, and counts the chunks it finished
// in DONE. So a worker the OS has not scheduled yet costs nothing: the caller runs the chunks it would
// have run. A worker that wakes for a finished job sees another generation in CLAIM and claims nothing.
// Workers spin a little after each job before they sleep in Atomics.wait, so the calls of one forward
// pass hand over in about a microsecond; a sleeping worker takes tens of microseconds to wake.
//
// The pool starts lazily (spawning a worker costs ~65 ms, off the calling thread) and is used once its
// workers are up; until then the caller runs everything itself. Workers are unref'd: they never keep a
// process alive. They are created with node:worker_threads in Node (through process.getBuiltinModule,
// so nothing Node-only is imported here) and as Web Workers from a Blob elsewhere.
import type { CompiledKernels } from "./wasm-variants.js";

/** Kernel ids of a job. */
export const OP_LINEAR = 0;
export const OP_ATTENTION = 1;
export const OP_LAYER_NORM = 2;
export const OP_ATTENTION1_SCORES = 3; // one query's scores, part c of the key ranges (attention-one.ts)
export const OP_ATTENTION1_VALUES = 4; // one query's value pass, output columns [cuts[c], cuts[c + 1])
export const OP_ATTENTION1_EXPS = 5; // one query's exps, stretch c of a[1] (attention-one.ts)

/** Milliseconds the caller may wait for a worker's last chunk before `run` reports the worker late. */
const LATE_MS = 0.2;

/** The most chunks a job may have. */
export const MAX_CHUNKS = 64;

// The control block, in int32 slots; then the arguments (float64) and the chunk table (int32).
const SEQ = 0; // bumped for every job: what workers wait on
const CLAIM = 1; // generation · 1024 + next chunk
const DONE = 2; // chunks finished
const COUNT = 3; // chunks in the job
const OP = 4;
const VARIANT = 5;
const FAILED = 6; // nonzero when a kernel threw in a worker
const READY = 7; // workers that have instantiated the kernels
const BY_WORKERS = 8; // chunks the workers have run, ever
const ARGS = 64; // byte offset of 20 float64 arguments
const CUTS = ARGS + 160; // byte offset of MAX_CHUNKS + 1 int32 row boundaries
const RESULTS = CUTS + 4 * (MAX_CHUNKS + 1); // MAX_CHUNKS int32 kernel results
const CONTROL_BYTES = RESULTS + 4 * MAX_CHUNKS;

/** Runs chunk c of the job in `a` (arguments) / `cuts` on kernels `k` with scratch `scratch`; returns the kernel's result. */
// The worker runs a copy of it, in WORKER_SOURCE: keep the two in step (the thread tests compare bits).
function runChunk(k: KernelExports, op: number, a: Float64Array, cuts: Int32Array, c: number, scratch: number): number {
  const r0 = cuts[c]!, rows = cuts[c + 1]! - r0;
  if (op === OP_LINEAR) k.linear(a[0]! + 4 * r0 * a[1]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]! + 4 * r0 * a[6]!, a[6]!, rows, a[8]!, a[9]!, a[10]!);
  else if (op === OP_LAYER_NORM) k.layer_norm(a[0]! + 4 * r0 * a[1]!, a[1]!, a[2]!, a[3]!, a[4]! + 4 * r0 * a[5]!, a[5]!, rows, a[7]!, a[8]!);
  else if (op === OP_ATTENTION1_SCORES) k.attention1_scores(a[0]!, c, a[1]!);
  else if (op === OP_ATTENTION1_VALUES) k.attention1_values(a[0]!, r0, r0 + rows);
  else if (op === OP_ATTENTION1_EXPS) k.attention1_exps(a[0]!, c, a[1]!);
  else return k.attention(a[0]! + 4 * r0 * a[1]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]! + 4 * r0 * a[7]!, a[7]!, rows, a[9]!, a[10]!, a[11]!, a[12]! + r0, a[13]!, a[14]!, a[15]!, scratch);
  return 0;
}

interface KernelExports {
  linear(...args: number[]): void;
  layer_norm(...args: number[]): void;
  attention(...args: number[]): number;
  attention1_scores(...args: number[]): void;
  attention1_values(...args: number[]): void;
  attention1_exps(...args: number[]): void;
}

// The worker: instantiate both builds on the shared memory, then serve jobs forever. Argument 16 of an
// attention job is the scratch base and 17 the bytes of scratch per participant (the caller is 0).
const WORKER_SOURCE = `
const start = (data) => {
  const { modules, memory, control, spin, me } = data;
  const builds = [modules.plain, modules.relaxed].map((m) => m && new WebAssembly.Instance(m, { env: { memory } }).exports);
  const i32 = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4});
  const a = new Float64Array(memory.buffer, control + ${ARGS}, 20);
  const cuts = new Int32Array(memory.buffer, control + ${CUTS}, ${MAX_CHUNKS + 1});
  const results = new Int32Array(memory.buffer, control + ${RESULTS}, ${MAX_CHUNKS});
  const runChunk = (k, op, a, cuts, c, scratch) => {
    const r0 = cuts[c], rows = cuts[c + 1] - r0;
    if (op === ${OP_LINEAR}) k.linear(a[0] + 4 * r0 * a[1], a[1], a[2], a[3], a[4], a[5] + 4 * r0 * a[6], a[6], rows, a[8], a[9], a[10]);
    else if (op === ${OP_LAYER_NORM}) k.layer_norm(a[0] + 4 * r0 * a[1], a[1], a[2], a[3], a[4] + 4 * r0 * a[5], a[5], rows, a[7], a[8]);
    else if (op === ${OP_ATTENTION1_SCORES}) k.attention1_scores(a[0], c, a[1]);
    else if (op === ${OP_ATTENTION1_VALUES}) k.attention1_values(a[0], r0, r0 + rows);
    else if (op === ${OP_ATTENTION1_EXPS}) k.attention1_exps(a[0], c, a[1]);
    else return k.attention(a[0] + 4 * r0 * a[1], a[1], a[2], a[3], a[4], a[5], a[6] + 4 * r0 * a[7], a[7], rows, a[9], a[10], a[11], a[12] + r0, a[13], a[14], a[15], scratch);
    return 0;
  };
  Atomics.add(i32, ${READY}, 1);
  let seen = Atomics.load(i32, ${SEQ});
  for (;;) {
    let n = 0;
    while (Atomics.load(i32, ${SEQ}) === seen) {
      if (++n > spin) { Atomics.wait(i32, ${SEQ}, seen); n = 0; }
    }
    seen = Atomics.load(i32, ${SEQ});
    const gen = (seen & 0x1fffff) * 1024;
    for (;;) {
      const v = Atomics.load(i32, ${CLAIM});
      if (v - (v & 1023) !== gen) break;
      const c = v & 1023;
      if (c >= i32[${COUNT}]) break;
      if (Atomics.compareExchange(i32, ${CLAIM}, v, v + 1) !== v) continue;
      try {
        results[c] = runChunk(builds[i32[${VARIANT}]], i32[${OP}], a, cuts, c, a[16] + me * a[17]);
      } catch (e) {
        console.error("tinylm worker:", e);
        Atomics.store(i32, ${FAILED}, 1);
      }
      Atomics.add(i32, ${BY_WORKERS}, 1);
      Atomics.add(i32, ${DONE}, 1);
      Atomics.notify(i32, ${DONE});
    }
  }
};
if (typeof require === "function") start(require("node:worker_threads").workerData);
else self.onmessage = (e) => start(e.data);
`;

interface WorkerLike {
  unref?(): void;
  terminate?(): unknown;
  postMessage?(data: unknown): void;
}

/** Creates one worker running WORKER_SOURCE with `data`, or returns why it cannot. */
function spawn(data: unknown): WorkerLike | string {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const threads = proc?.getBuiltinModule?.("node:worker_threads") as
    | { Worker: new (src: string, opts: { eval: boolean; workerData: unknown }) => WorkerLike }
    | undefined;
  if (threads) {
    const w = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: data });
    w.unref?.();
    return w;
  }
  const Web = (globalThis as { Worker?: new (url: string) => WorkerLike }).Worker;
  if (Web && typeof Blob !== "undefined" && typeof URL.createObjectURL === "function") {
    const w = new Web(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" })));
    w.postMessage?.(data);
    return w;
  }
  return "this runtime has no worker threads (node:worker_threads or Web Workers)";
}

let canBlock = true; // false on a browser's main thread, which may not Atomics.wait

export class Pool {
  private readonly workers: WorkerLike[] = [];
  private readonly i32: Int32Array;
  /** The job's arguments; attention jobs put the scratch base in [16] and bytes per participant in [17]. */
  readonly args: Float64Array;
  /** The job's row boundaries: chunk c is rows [cuts[c], cuts[c + 1]). */
  readonly cuts: Int32Array;
  private readonly results: Int32Array;
  private ready = false;
  /** Why the pool has no workers, when it has none. */
  failure?: string;

  constructor(
    compiled: CompiledKernels,
    /** Allocates a 64-byte aligned block of the shared memory (0 when full). */
    allocate: (bytes: number) => number,
    /** Worker threads (the caller is one more participant). */
    readonly size: number,
  ) {
    const control = allocate(CONTROL_BYTES);
    const buffer = compiled.memory.buffer;
    this.i32 = new Int32Array(buffer, control, CONTROL_BYTES / 4);
    this.args = new Float64Array(buffer, control + ARGS, 20);
    this.cuts = new Int32Array(buffer, control + CUTS, MAX_CHUNKS + 1);
    this.results = new Int32Array(buffer, control + RESULTS, MAX_CHUNKS);
    if (control === 0) {
      this.failure = "kernel memory is full";
      return;
    }
    // the block may have held other data (the heap reuses freed blocks): a stale FAILED, SEQ or READY
    // would read as a failed job, a job to run, or workers that are up
    new Uint8Array(buffer, control, CONTROL_BYTES).fill(0);
    for (let w = 0; w < size; w++) {
      const worker = spawn({ modules: compiled.modules, memory: compiled.memory, control, spin: 4000, me: w + 1 });
      if (typeof worker === "string") {
        this.failure = worker;
        this.close();
        return;
      }
      this.workers.push(worker);
    }
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.workers) void w.terminate?.();
    this.workers.length = 0;
    this.ready = false;
  }

  /** Chunks the workers (not the caller) have run since the pool started. */
  get workerChunks(): number {
    return Atomics.load(this.i32, BY_WORKERS);
  }

  /** True once every worker has instantiated the kernels (before that, callers run alone). */
  isReady(): boolean {
    if (!this.ready && this.workers.length > 0) this.ready = Atomics.load(this.i32, READY) === this.workers.length;
    return this.ready;
  }

  /** Wakes sleeping workers without a job: they spin for the next one a while before they sleep again. */
  wake(): void {
    Atomics.notify(this.i32, SEQ);
  }

  /** The first row of the chunk whose result the last `run` returned (0 when it returned 0). */
  resultRow = 0;
  /** True when the last `run` waited more than LATE_MS for a worker's chunk after running out of its own. */
  late = false;

  /**
   * Runs kernel `op` of build `variant` over `count` chunks (this.args and this.cuts written by the
   * caller) on the workers and the calling thread, which uses `k` and `scratch`. Returns the first
   * nonzero kernel result in chunk order (its chunk's first row in `resultRow`), or 0. Allocates nothing:
   * a decode step calls it.
   */
  run(k: KernelExports, op: number, variant: number, count: number, scratch: number): number {
    const i32 = this.i32;
    i32[COUNT] = count;
    i32[OP] = op;
    i32[VARIANT] = variant;
    Atomics.store(i32, DONE, 0);
    const seq = (Atomics.load(i32, SEQ) + 1) | 0;
    Atomics.store(i32, CLAIM, (seq & 0x1fffff) * 1024); // publishes the job: arguments are written
    Atomics.store(i32, SEQ, seq);
    Atomics.notify(i32, SEQ);
    const gen = (seq & 0x1fffff) * 1024;
    for (;;) {
      const v = Atomics.load(i32, CLAIM);
      const c = v & 1023;
      if (v - c !== gen || c >= count) break;
      if (Atomics.compareExchange(i32, CLAIM, v, v + 1) !== v) continue;
      this.results[c] = runChunk(k, op, this.args, this.cuts, c, scratch);
      Atomics.add(i32, DONE, 1);
    }
    let n = 0, since = 0;
    this.late = false;
    for (let done = Atomics.load(i32, DONE); done < count; done = Atomics.load(i32, DONE)) {
      if (++n > 2000) {
        // a worker holds a chunk this long only when the OS took its core away (a busy machine)
        if (since === 0) since = performance.now();
        else if (!this.late && performance.now() - since > LATE_MS) this.late = true;
        if (canBlock) {
          try {
            Atomics.wait(i32, DONE, done, 20);
          } catch {
            canBlock = false;
          }
        }
      }
    }
    if (Atomics.exchange(i32, FAILED, 0) !== 0) throw new Error("a tinylm kernel failed in a worker thread (its error is on the console)");
    this.resultRow = 0;
    for (let c = 0; c < count; c++) {
      if (this.results[c] !== 0) {
        this.resultRow = this.cuts[c]!;
        return this.results[c]!;
      }
    }
    return 0;
  }
}
