// Which kernels run: "wasm" (WebAssembly SIMD, the default when the module loads) or "js" (the plain
// TypeScript kernels in ops/, the reference and the fallback). The choice is made on first use, not at
// import: TINYLM_BACKEND=js|wasm picks it where there is a process environment (Node); setBackend switches
// at run time. Tensors in kernel memory stay valid under either backend.
import { BackendError } from "../errors.js";
import { Heap } from "./heap.js";
import { KernelDispatch, type OneQuerySplit } from "./threads.js";
export type { OneQuerySplit } from "./threads.js";
import { loadWasm } from "./wasm-module.js";

export type BackendName = "js" | "wasm";

/** The loaded module with typed views over its memory (valid forever: the memory never grows). */
export interface WasmState {
  /** The kernels: the FMA build or the plain one, on one thread or split over the pool (threads.ts). */
  readonly kernels: KernelDispatch;
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly heap: Heap;
}

let loaded: WasmState | string | undefined; // the module, or why it failed; undefined before the first try
let active: WasmState | null | undefined; // the wasm state exactly when that backend is selected; undefined before start()

function load(): WasmState | string {
  if (loaded === undefined) {
    const r = loadWasm();
    if (typeof r === "string") loaded = r;
    else {
      const buffer = r.memory.buffer as ArrayBuffer; // a SharedArrayBuffer when the memory is shared
      const heap = new Heap(buffer.byteLength);
      loaded = { kernels: new KernelDispatch(r, heap), buffer, f32: new Float32Array(buffer), i32: new Int32Array(buffer), heap };
    }
  }
  return loaded;
}

/** The wasm state when that backend is active, else null. The kernels' wrappers call this first. */
export function activeWasm(): WasmState | null {
  return active !== undefined ? active : start();
}

/** The wasm state if the module is loaded (whichever backend is active), else null. */
export function loadedWasm(): WasmState | null {
  if (active === undefined) start();
  return typeof loaded === "object" ? loaded : null;
}

/**
 * Selects the kernels. setBackend("js") for the reference kernels; setBackend("wasm") throws a
 * BackendError when the WebAssembly module cannot load here.
 */
export function setBackend(name: BackendName): void {
  if (name === "js") {
    if (active === undefined) start();
    active = null;
    return;
  }
  if (name !== "wasm") throw new BackendError(`unknown backend "${String(name)}"; expected "js" or "wasm"`);
  const state = load();
  if (typeof state === "string") throw new BackendError(`the wasm kernels are unavailable: ${state}. Use setBackend("js") or rebuild @tinylm/tensor (pnpm build).`);
  active = state;
}

export function getBackend(): BackendName {
  return activeWasm() ? "wasm" : "js";
}

export interface BackendInfo {
  readonly name: BackendName;
  /** Why the wasm kernels are not in use, when they are not. */
  readonly reason?: string;
  /** Bytes of kernel memory reserved and in live blocks (0 without wasm). */
  readonly memoryBytes: number;
  readonly memoryUsed: number;
  /** Whether the wasm kernels use fused multiply-add (the relaxed-SIMD build), and why not when not. */
  readonly fma: boolean;
  readonly fmaReason?: string;
  /** Threads a large kernel call is split over (1 without wasm or shared memory), and why fewer than asked. */
  readonly threads: number;
  readonly threadsReason?: string;
  /**
   * Decode steps' attentions over a long context (from 2^15 visible keys × head width: 512 keys at
   * d = 64), since the kernels loaded: how many were split over the threads and how many ran on the
   * calling thread (one thread, setOneQuerySplit("never"), or where the split measured no faster).
   */
  readonly oneQuery: { readonly mode: OneQuerySplit; readonly split: number; readonly alone: number };
}

export function backendInfo(): BackendInfo {
  const state = loadedWasm();
  const active = activeWasm();
  const k = state?.kernels;
  const mem = {
    memoryBytes: state?.buffer.byteLength ?? 0, memoryUsed: state?.heap.allocated ?? 0,
    fma: k?.fma ?? false, ...(k?.fmaReason ? { fmaReason: k.fmaReason } : {}),
    threads: k?.threads ?? 1, ...(k?.threadsReason ? { threadsReason: k.threadsReason } : {}),
    oneQuery: { mode: k?.oneQuerySplit ?? "auto", split: k?.oneQuerySplits ?? 0, alone: k?.oneQueryAlone ?? 0 },
  };
  if (active) return { name: "wasm", ...mem };
  const reason = typeof loaded === "string" ? loaded : startReason ?? "setBackend(\"js\") was called";
  return { name: "js", reason, ...mem };
}

/**
 * Whether the wasm kernels use fused multiply-add (f32x4.relaxed_madd). On by default where the runtime
 * accepts relaxed SIMD; setFma(true) throws a BackendError where it does not. Results differ from the
 * plain build in the last bits; each build is exact within itself.
 */
export function setFma(on: boolean): void {
  const state = load();
  if (typeof state === "string") throw new BackendError(`the wasm kernels are unavailable: ${state}`);
  state.kernels.setFma(on);
}

/**
 * Threads a large kernel call is split over (prefill, recompute, long attention): 1 runs everything on
 * the calling thread. Without shared memory (e.g. a page that is not cross-origin isolated) one thread
 * runs and backendInfo().threadsReason says why. Results are bit-identical for every count.
 */
export function setThreads(n: number): void {
  const state = load();
  if (typeof state === "string") throw new BackendError(`the wasm kernels are unavailable: ${state}`);
  state.kernels.setThreads(n);
}

/**
 * How a decode step's attention over a long context uses the worker threads: "auto" (the default) splits
 * it where that measures faster than running it on the calling thread, timing both ways now and then;
 * "always" and "never" fix the choice (for tests and benchmarks). The results are bit-identical either way.
 */
export function setOneQuerySplit(mode: OneQuerySplit): void {
  if (mode !== "auto" && mode !== "always" && mode !== "never") {
    throw new BackendError(`setOneQuerySplit takes "auto", "always" or "never"; got ${JSON.stringify(mode)}`);
  }
  const state = load();
  if (typeof state !== "string") state.kernels.oneQuerySplit = mode;
}

/**
 * For benchmarks: true makes decode steps run as before kernel programs — op by op, the single-row linears
 * in eight-output blocks — so the speed script can time that path against today's in one process. The
 * results are bit-identical either way. False (the default) restores today's path.
 */
export function setDecodeBaseline(on: boolean): void {
  const state = load();
  if (typeof state !== "string") state.kernels.baseline = on;
}

/** True while setDecodeBaseline(true) holds. */
export function decodeBaseline(): boolean {
  return typeof loaded === "object" && loaded.kernels.baseline;
}

/**
 * Starts the worker threads now rather than at the first large call (they take tens of ms to start);
 * resolves with the threads a large call then runs on. Not needed for correctness: until the workers
 * are up, calls run on the calling thread.
 */
export function warmThreads(): Promise<number> {
  const state = load();
  if (typeof state === "string") return Promise.resolve(1);
  const deadline = Date.now() + 10_000; // a worker that never comes up: carry on with one thread
  return new Promise((resolve) => {
    const poll = (): void => {
      const n = state.kernels.warm();
      if (n > 0 || Date.now() > deadline) resolve(Math.max(n, 1));
      else setTimeout(poll, 2);
    };
    poll();
  });
}

// ---- start-up choice ----
let startReason: string | undefined;

/** The first use's choice: wasm when the module loads, unless TINYLM_BACKEND says js. Returns activeWasm(). */
function start(): WasmState | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const wanted = env?.["TINYLM_BACKEND"];
  active = null;
  if (wanted === "js") startReason = "TINYLM_BACKEND=js";
  else {
    const state = load();
    if (typeof state === "string") startReason = state;
    else active = state;
    if (wanted !== undefined && wanted !== "wasm" && wanted !== "") startReason = `TINYLM_BACKEND="${wanted}" is not js or wasm; using ${active ? "wasm" : "js"}`;
  }
  return active;
}
