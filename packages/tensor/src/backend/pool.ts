// A persistent pool of worker threads over the kernels' shared memory. Each worker instantiates the same
// kernel builds on the same WebAssembly.Memory and waits for work in a control block of that memory:
// the caller writes a kernel's arguments there, bumps `seq` and notifies; the worker runs the kernel,
// stores `done = seq` and notifies back. A worker spins a little after each task before it sleeps in
// Atomics.wait, so the calls of one forward pass hand over in well under a microsecond; a sleeping worker
// takes tens of microseconds to wake. Workers are unref'd: they never keep a process alive.
//
// The pool starts lazily (spawning a worker costs ~65 ms, off the calling thread) and is used only once
// its workers say they are ready; until then the caller runs everything itself. Workers are created
// with node:worker_threads in Node (through process.getBuiltinModule, so nothing Node-only is imported
// here) and with a module-less Web Worker from a Blob elsewhere.
import type { CompiledKernels } from "./wasm-variants.js";

/** Kernel ids in the control block. */
export const OP_LINEAR = 0;
export const OP_ATTENTION = 1;
export const OP_LAYER_NORM = 2;

// Control block of one worker, in int32 slots; its arguments follow as float64s at byte ARGS.
const SEQ = 0;
const DONE = 1;
const OP = 2;
const VARIANT = 3;
const RESULT = 4;
const STATUS = 5; // 0 ok, 1 the kernel threw (message in the console of the worker)
const READY = 6;
const ARGS = 64;
export const CONTROL_BYTES = 256;

// The worker: instantiate both builds on the shared memory, then serve tasks forever.
const WORKER_SOURCE = `
const start = (data) => {
  const { modules, memory, control, spin } = data;
  const builds = [modules.plain, modules.relaxed].map((m) => m && new WebAssembly.Instance(m, { env: { memory } }).exports);
  const i32 = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4});
  const f64 = new Float64Array(memory.buffer, control + ${ARGS}, ${(CONTROL_BYTES - ARGS) / 8});
  Atomics.store(i32, ${READY}, 1);
  let seen = Atomics.load(i32, ${SEQ});
  for (;;) {
    let n = 0;
    while (Atomics.load(i32, ${SEQ}) === seen) {
      if (++n > spin) { Atomics.wait(i32, ${SEQ}, seen); n = 0; }
    }
    seen = Atomics.load(i32, ${SEQ});
    const k = builds[Atomics.load(i32, ${VARIANT})];
    const a = f64;
    let r = 0;
    try {
      switch (i32[${OP}]) {
        case ${OP_LINEAR}: k.linear(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]); break;
        case ${OP_ATTENTION}: r = k.attention(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16]); break;
        case ${OP_LAYER_NORM}: k.layer_norm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]); break;
      }
      i32[${STATUS}] = 0;
    } catch (e) {
      console.error("tinylm worker:", e);
      i32[${STATUS}] = 1;
    }
    i32[${RESULT}] = r;
    Atomics.store(i32, ${DONE}, seen);
    Atomics.notify(i32, ${DONE});
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

/** A started worker: its control block as int32 slots and its arguments as float64s. */
export interface Lane {
  readonly i32: Int32Array;
  readonly args: Float64Array;
  /** Bytes of attention scratch of this lane (its own scores rows), grown on demand. */
  scratchAt: number;
  scratchBytes: number;
}

export class Pool {
  readonly lanes: Lane[] = [];
  private readonly workers: WorkerLike[] = [];
  private ready = false;
  /** Why the pool has no workers, when it has none. */
  failure?: string;

  constructor(
    compiled: CompiledKernels,
    /** Allocates a 64-byte aligned block of the shared memory (0 when full). */
    allocate: (bytes: number) => number,
    readonly size: number,
  ) {
    for (let w = 0; w < size; w++) {
      const control = allocate(CONTROL_BYTES);
      if (control === 0) {
        this.failure = "kernel memory is full";
        return;
      }
      const buffer = compiled.memory.buffer;
      this.lanes.push({
        i32: new Int32Array(buffer, control, CONTROL_BYTES / 4),
        args: new Float64Array(buffer, control + ARGS, (CONTROL_BYTES - ARGS) / 8),
        scratchAt: 0,
        scratchBytes: 0,
      });
      const worker = spawn({ modules: compiled.modules, memory: compiled.memory, control, spin: 20000 });
      if (typeof worker === "string") {
        this.failure = worker;
        this.lanes.length = 0;
        return;
      }
      this.workers.push(worker);
    }
  }

  /** Stops the workers (their control blocks stay allocated: a worker may still read its block). */
  close(): void {
    for (const w of this.workers) void w.terminate?.();
    this.lanes.length = 0;
  }

  /** True once every worker has instantiated the kernels (before that, callers run alone). */
  isReady(): boolean {
    if (this.ready) return true;
    if (this.lanes.length === 0) return false;
    this.ready = this.lanes.every((l) => Atomics.load(l.i32, READY) === 1);
    return this.ready;
  }

  /** Hands lane `w` the kernel `op` of build `variant`; its arguments are already in lane.args. */
  post(w: number, op: number, variant: number): void {
    const { i32 } = this.lanes[w]!;
    i32[OP] = op;
    i32[VARIANT] = variant;
    Atomics.add(i32, SEQ, 1);
    Atomics.notify(i32, SEQ);
  }

  /** Waits for lane `w`'s task; returns the kernel's result. */
  wait(w: number): number {
    const { i32 } = this.lanes[w]!;
    const seq = Atomics.load(i32, SEQ);
    let n = 0;
    while (Atomics.load(i32, DONE) !== seq) {
      if (++n > 2000 && canBlock) {
        try {
          Atomics.wait(i32, DONE, Atomics.load(i32, DONE), 50);
        } catch {
          canBlock = false; // a browser's main thread may not block: spin
        }
      }
    }
    if (i32[STATUS] !== 0) throw new Error("a tinylm kernel failed in a worker thread");
    return i32[RESULT]!;
  }
}

let canBlock = true;
