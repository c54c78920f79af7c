// Loads the WebAssembly SIMD kernels (built from assembly/ by scripts/build-wasm.mjs: a plain SIMD build
// and, with fused multiply-add, a relaxed-SIMD one; their bytes inlined as base64 in dist/tensor-kernels.js,
// so no file system or fetch is needed and Node, browsers and bundlers load them alike) synchronously, into
// one memory reserved once and never grown: typed-array views over it (weights, caches) therefore never
// go stale. Untouched pages cost address space only, not resident memory. The memory is shared where the
// runtime allows, for the worker threads (wasm-variants.ts). If the kernels cannot load, `loadWasm`
// returns the reason and the JS kernels run.
// src/backend/ and dist/backend/ are both two levels below the package root, so one path serves both.
import { relaxedBase64, wasmBase64 } from "../../dist/tensor-kernels.js";
import { compileKernels, type CompiledKernels } from "./wasm-variants.js";

/** The kernels' exports; pointers are byte addresses, strides are in float32 elements. */
export interface WasmKernels {
  linear(x: number, xs: number, w: number, ws: number, bias: number, out: number, os: number, T: number, n: number, m: number, flags: number): void;
  attention(
    q: number, qs: number, k: number, ks: number, v: number, vs: number, out: number, os: number,
    T: number, S: number, dh: number, scale: number, qStart: number, pos: number, window: number, sinks: number, scores: number,
  ): number;
  /** attention over a block table: key j in block j / B at the i32 address kTable[j / B] (values: vTable). */
  attention_paged(
    q: number, qs: number, kTable: number, vTable: number, col: number, rs: number, B: number, out: number, os: number,
    T: number, S: number, dh: number, scale: number, qStart: number, p0: number, window: number, sinks: number, scores: number,
  ): number;
  /** attention over int8 keys (per-token or per-channel scales, then float rows from nq) and int8 values. */
  attention_int8(
    q: number, qs: number, kq: number, kRow: number, kSc: number, G: number, kScRow: number, nq: number, kf: number, kfRow: number,
    vq: number, vRow: number, vSc: number, out: number, os: number,
    T: number, S: number, dh: number, scale: number, qStart: number, p0: number, window: number, sinks: number, scores: number,
  ): number;
  /** One row of linear (same bits): x [n] · w [m, n]ᵀ (row stride ws) + bias -> out [m]. */
  matvec(x: number, w: number, ws: number, bias: number, out: number, n: number, m: number, flags: number): void;
  layer_norm(x: number, xs: number, w: number, b: number, out: number, os: number, T: number, d: number, eps: number): void;
  exp_f32(x: number, out: number, n: number): void;
  /** rows rows of d floats from src (row stride ss) to dst (row stride ds), each a memory.copy. */
  copy_rows(src: number, ss: number, dst: number, ds: number, rows: number, d: number): void;
  /** Runs records [from, to) of a kernel program (program.ts) at position p for a token; 0, or an attention failure and its record. */
  run_program(prog: number, from: number, to: number, p: number, token: number): number;
  /** One query's attention of a program's attention record in phases (assembly/attention-one.ts): operands and ranges, scores by parts, weights (or max, exps by parts, sum), values by columns. */
  attention1_begin(record: number, head: number, state: number): void;
  attention1_scores(state: number, part: number, parts: number): void;
  attention1_weights(state: number, parts: number): number;
  /** attention1_weights in three steps, the exps by stretches: the max, stretch c of the exps, the rest of the sum. */
  attention1_max(state: number, parts: number): number;
  attention1_exps(state: number, chunk: number, chunks: number): void;
  attention1_sum(state: number, chunks: number): void;
  attention1_values(state: number, c0: number, c1: number): void;
}


/**
 * 1 GiB of address space, reserved once: weights, scratch and ~60 context-10,000 caches (15 MB each) fit
 * before the garbage collector has returned dropped ones. Only pages written count in resident memory.
 */
export const WASM_PAGES = 16384;

export function loadWasm(): CompiledKernels | string {
  try {
    if (typeof WebAssembly === "undefined") return "WebAssembly is not available";
    return compileKernels(fromBase64(wasmBase64), fromBase64(relaxedBase64), WASM_PAGES, true);
  } catch (e) {
    return `could not load the wasm kernels: ${(e as Error).message}`;
  }
}

type Base64Decoders = { Buffer?: { from(s: string, encoding: "base64"): Uint8Array }; Uint8Array: { fromBase64?(s: string): Uint8Array } };

/**
 * The bytes of a base64 string, by the runtime's native decoder where it has one (Node's Buffer, or
 * Uint8Array.fromBase64): decoding the ~70 KB of kernels char by char in JavaScript costs 5–10 ms
 * before the code is optimized, the native decoders ~0.1 ms.
 */
function fromBase64(base64: string): Uint8Array {
  const g = globalThis as unknown as Base64Decoders;
  if (g.Buffer) {
    const b = g.Buffer.from(base64, "base64");
    return new Uint8Array(b.buffer, b.byteOffset, b.length); // a plain view: a Buffer's slice() would not copy
  }
  if (g.Uint8Array.fromBase64) return g.Uint8Array.fromBase64(base64);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
