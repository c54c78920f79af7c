// Which kernels run: "wasm" (WebAssembly SIMD, the default when the module loads) or "js" (the plain
// TypeScript kernels in ops/, the reference and the fallback). The choice is made on first use, not at
// import: TINYLM_BACKEND=js|wasm picks it where there is a process environment (Node); setBackend switches
// at run time. Tensors in kernel memory stay valid under either backend.
import { BackendError } from "../errors.js";
import { Heap } from "./heap.js";
import { loadWasm, type WasmKernels } from "./wasm-module.js";

export type BackendName = "js" | "wasm";

/** The loaded module with typed views over its memory (valid forever: the memory never grows). */
export interface WasmState {
  readonly kernels: WasmKernels;
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
      const buffer = r.memory.buffer;
      loaded = { kernels: r.kernels, buffer, f32: new Float32Array(buffer), i32: new Int32Array(buffer), heap: new Heap(buffer.byteLength) };
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
}

export function backendInfo(): BackendInfo {
  const state = loadedWasm();
  const active = activeWasm();
  const mem = { memoryBytes: state?.buffer.byteLength ?? 0, memoryUsed: state?.heap.allocated ?? 0 };
  if (active) return { name: "wasm", ...mem };
  const reason = typeof loaded === "string" ? loaded : startReason ?? "setBackend(\"js\") was called";
  return { name: "js", reason, ...mem };
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
