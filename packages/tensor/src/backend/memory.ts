// Tensors in kernel memory. Long-lived buffers (weights, KV caches, a model's activations) are allocated
// once in the wasm module's memory, so the kernels read and write them in place with no copy per call;
// a block returns to the heap when its Float32Array is garbage-collected. Without the wasm module (or
// when its memory is full) they are ordinary Float32Arrays: every op still accepts them.
import ndarray from "ndarray";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { loadedWasm, type WasmState } from "./backend.js";

const NO_BLOCK = { at: 0, pristine: false };
const blocks = new FinalizationRegistry<{ state: WasmState; at: number }>(({ state, at }) => state.heap.release(at));

/**
 * n zero floats, in kernel memory when the wasm module is loaded and has room, else a plain Float32Array.
 * const keys = allocFloat32(C * d)
 */
export function allocFloat32(n: number): Float32Array {
  const state = loadedWasm();
  const { at, pristine } = state && n > 0 ? state.heap.allocBlock(n * 4) : NO_BLOCK;
  if (!state || at === 0) return new Float32Array(n);
  const data = new Float32Array(state.buffer, at, n);
  if (!pristine) data.fill(0); // a reused block; pristine memory is still zero and its pages stay untouched
  blocks.register(data, { state, at });
  return data;
}

/**
 * n zero int32s in kernel memory when the wasm module is loaded and has room, else a plain Int32Array
 * (positions the attention kernel reads in place). const positions = allocInt32(C)
 */
export function allocInt32(n: number): Int32Array {
  const state = loadedWasm();
  const { at, pristine } = state && n > 0 ? state.heap.allocBlock(n * 4) : NO_BLOCK;
  if (!state || at === 0) return new Int32Array(n);
  const data = new Int32Array(state.buffer, at, n);
  if (!pristine) data.fill(0); // a reused block; pristine memory is still zero and its pages stay untouched
  blocks.register(data, { state, at });
  return data;
}

/** A zero tensor in kernel memory (see allocFloat32). const K = kernelZeros([C, d]) */
export function kernelZeros(shape: readonly number[]): Tensor {
  return ndarray(allocFloat32(sizeOf(shape)), [...shape]);
}

/** True when `t`'s storage is the wasm module's memory (the kernels can address it). */
export function inKernelMemory(t: Tensor): boolean {
  const state = loadedWasm();
  return state !== null && t.data.buffer === state.buffer;
}

/** A row-major copy of `t` in kernel memory (any rank). const w = toKernelMemory(weights.q.weight) */
export function toKernelMemory(t: Tensor): Tensor {
  const out = kernelZeros(t.shape);
  const n = out.data.length;
  if (n === 0) return out;
  let contiguous = true;
  let expected = 1;
  for (let axis = t.shape.length - 1; axis >= 0; axis--) {
    if (t.shape[axis]! > 1 && t.stride[axis] !== expected) contiguous = false;
    expected *= t.shape[axis]!;
  }
  if (contiguous) out.data.set(t.data.subarray(t.offset, t.offset + n));
  else {
    let i = 0;
    const walk = (axis: number, base: number): void => {
      for (let j = 0; j < t.shape[axis]!; j++) {
        const at = base + j * t.stride[axis]!;
        if (axis === t.shape.length - 1) out.data[i++] = t.data[at]!;
        else walk(axis + 1, at);
      }
    };
    walk(0, t.offset);
  }
  return out;
}
