// Loads the WebAssembly SIMD kernels (dist/tensor-kernels.wasm and, with fused multiply-add,
// dist/tensor-kernels-relaxed.wasm, built from assembly/ by scripts/build-wasm.mjs) synchronously, into
// one memory reserved once and never grown: typed-array views over it (weights, caches) therefore never
// go stale. Untouched pages cost address space only, not resident memory. The memory is shared where the
// runtime allows, for the worker threads (wasm-variants.ts). If the kernels cannot load, `loadWasm`
// returns the reason and the JS kernels run.
import { readFileSync } from "node:fs";
import { compileKernels, type CompiledKernels } from "./wasm-variants.js";

/** The kernels' exports; pointers are byte addresses, strides are in float32 elements. */
export interface WasmKernels {
  linear(x: number, xs: number, w: number, ws: number, bias: number, out: number, os: number, T: number, n: number, m: number, flags: number): void;
  attention(
    q: number, qs: number, k: number, ks: number, v: number, vs: number, out: number, os: number,
    T: number, S: number, dh: number, scale: number, qStart: number, pos: number, window: number, sinks: number, scores: number,
  ): number;
  /** One row of linear (same bits): x [n] · w [m, n]ᵀ (row stride ws) + bias -> out [m]. */
  matvec(x: number, w: number, ws: number, bias: number, out: number, n: number, m: number, flags: number): void;
  layer_norm(x: number, xs: number, w: number, b: number, out: number, os: number, T: number, d: number, eps: number): void;
  exp_f32(x: number, out: number, n: number): void;
}


/**
 * 1 GiB of address space, reserved once: weights, scratch and ~60 context-10,000 caches (15 MB each) fit
 * before the garbage collector has returned dropped ones. Only pages written count in resident memory.
 */
export const WASM_PAGES = 16384;

// src/backend/ and dist/backend/ are both two levels below the package root, so one URL serves both.
const WASM_URL = new URL("../../dist/tensor-kernels.wasm", import.meta.url);
const RELAXED_URL = new URL("../../dist/tensor-kernels-relaxed.wasm", import.meta.url);

export function loadWasm(): CompiledKernels | string {
  try {
    if (typeof WebAssembly === "undefined") return "WebAssembly is not available";
    const bytes = readFileSync(WASM_URL);
    let relaxed: Uint8Array | undefined;
    try {
      relaxed = readFileSync(RELAXED_URL);
    } catch {
      // an older build without it: the plain kernels run
    }
    return compileKernels(bytes, relaxed, WASM_PAGES, true);
  } catch (e) {
    return `could not load ${WASM_URL.pathname}: ${(e as Error).message}`;
  }
}
