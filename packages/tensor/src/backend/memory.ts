// Tensors in kernel memory. Long-lived buffers (weights, KV caches, a model's activations) are allocated
// once in the wasm module's memory, so the kernels read and write them in place with no copy per call;
// a block returns to the heap when its Float32Array is garbage-collected. Without the wasm module (or
// when its memory is full) they are ordinary Float32Arrays: every op still accepts them.
import ndarray from "ndarray";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { loadedWasm, type WasmState } from "./backend.js";

const NO_BLOCK = { at: 0, pristine: false };

// Every array `alloc` hands out carries its byte address in kernel memory under this key, so the per-call
// paths (a cache append, a prepared attention) tell a kernel array and find it with one property read:
// `.buffer` and `.byteOffset` cost ~20 and ~10 ns each on a view of WebAssembly memory in V8.
const AT = Symbol("tinylm.kernelAt");
type Tagged = (Float32Array | Int32Array | Int8Array) & { [AT]?: number };

/** Byte address of `a`'s first element in kernel memory, or -1 when `a` lives elsewhere. */
export function kernelAddress(state: WasmState, a: Float32Array | Int32Array | Int8Array): number {
  const at = (a as Tagged)[AT];
  if (at !== undefined) return at;
  return a.buffer === state.buffer ? a.byteOffset : -1; // a view over kernel memory made elsewhere
}

const blocks = new FinalizationRegistry<{ state: WasmState; at: number }>(({ state, at }) => state.heap.release(at));

type Kind = Float32ArrayConstructor | Int32ArrayConstructor | Int8ArrayConstructor;

/** n elements in kernel memory (cleared unless `zero` is false), else a plain zeroed array. */
function alloc<K extends Kind>(Array: K, n: number, zero: boolean): InstanceType<K> {
  const state = loadedWasm();
  const { at, pristine } = state && n > 0 ? state.heap.allocBlock(n * Array.BYTES_PER_ELEMENT) : NO_BLOCK;
  if (!state || at === 0) return new Array(n) as InstanceType<K>;
  const data = new Array(state.buffer, at, n) as InstanceType<K>;
  if (zero && !pristine) data.fill(0); // a reused block; pristine memory is still zero and its pages stay untouched
  (data as Tagged)[AT] = at;
  blocks.register(data, { state, at }, data); // data is its own unregister token (held weakly)
  return data;
}

/**
 * n zero floats, in kernel memory when the wasm module is loaded and has room, else a plain Float32Array.
 * const keys = allocFloat32(C * d)
 */
export const allocFloat32 = (n: number): Float32Array => alloc(Float32Array, n, true);

/**
 * n zero int32s in kernel memory when the wasm module is loaded and has room, else a plain Int32Array
 * (positions the attention kernel reads in place). const positions = allocInt32(C)
 */
export const allocInt32 = (n: number): Int32Array => alloc(Int32Array, n, true);

/**
 * n zero int8s in kernel memory when the wasm module is loaded and has room, else a plain Int8Array
 * (quantized rows the int8 attention kernel reads in place). const keys = allocInt8(C * d)
 */
export const allocInt8 = (n: number): Int8Array => alloc(Int8Array, n, true);

/**
 * A tensor in kernel memory whose contents are unspecified: a reused block is not cleared, so even a 15 MB
 * cache costs nothing to create. Only for buffers whose every element is written before it is read.
 * const K = kernelUninitialized([C, d])
 */
export function kernelUninitialized(shape: readonly number[]): Tensor {
  return ndarray(alloc(Float32Array, sizeOf(shape), false), [...shape]);
}

/** A zero tensor in kernel memory (see allocFloat32). const K = kernelZeros([C, d]) */
export function kernelZeros(shape: readonly number[]): Tensor {
  return ndarray(allocFloat32(sizeOf(shape)), [...shape]);
}

/** True when `t`'s storage is the wasm module's memory (the kernels can address it). */
export function inKernelMemory(t: Tensor): boolean {
  const state = loadedWasm();
  return state !== null && kernelAddress(state, t.data) >= 0;
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

/**
 * Gives the kernel-memory block under `x` (a tensor or an array from this file) back to the heap now, rather
 * than when the garbage collector finalizes it; true when a block was released. The caller promises nothing
 * reads or writes `x` (or any view of its storage) again: the block is handed out anew. A second call, or
 * an array outside kernel memory, is a no-op (false). model.dispose() and cache.dispose() call it.
 */
export function releaseKernelMemory(x: Tensor | Float32Array | Int32Array | Int8Array): boolean {
  const data = (ArrayBuffer.isView(x) ? x : x.data) as Tagged;
  const at = data[AT];
  const state = loadedWasm();
  if (at === undefined || at <= 0 || state === null) return false;
  data[AT] = -1; // no longer a kernel array: a second release must not free the block's next owner
  blocks.unregister(data);
  state.heap.release(at);
  return true;
}
