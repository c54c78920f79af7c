// Passing tensors to the kernels: a tensor in kernel memory goes by address, anything else is copied into
// a scratch block first (O(rows·cols) next to the kernels' O(rows·cols·n) work). Scratch is one block,
// reused by every call and grown when a call needs more.
import type { Tensor } from "../tensor.js";
import type { WasmState } from "./backend.js";
import { kernelAddress } from "./memory.js";

let scratchAt = 0;
let scratchBytes = 0;
let top = 0;

/**
 * Starts a kernel call that needs at most `bytes` of scratch; false when the heap cannot provide it
 * (the caller then runs the JS kernel).
 */
export function beginCall(state: WasmState, bytes: number): boolean {
  top = 0;
  if (bytes <= scratchBytes) return true;
  if (scratchAt) state.heap.release(scratchAt);
  const size = Math.max(bytes, 2 * scratchBytes, 1 << 16);
  scratchAt = state.heap.alloc(size);
  scratchBytes = scratchAt ? size : 0;
  return scratchAt !== 0;
}

/** The next `bytes` of this call's scratch (64-byte aligned). */
export function take(bytes: number): number {
  const at = scratchAt + top;
  top += Math.ceil(bytes / 64) * 64;
  return at;
}

/** Scratch bytes needed to stage a [rows, cols] float32 operand (0 if it lives in kernel memory). */
export function stageBytes(state: WasmState, t: Tensor, rows: number, cols: number): number {
  return kernelAddress(state, t.data) >= 0 ? 0 : Math.ceil((rows * cols * 4) / 64) * 64;
}

/** True when the last axis is unit-stride (or has one element) and the row stride is not negative. */
export function rowsContiguous(t: Tensor): boolean {
  const r = t.shape.length;
  if (r === 1) return t.stride[0] === 1 || t.shape[0]! <= 1;
  return r === 2 && (t.stride[1] === 1 || t.shape[1]! <= 1) && t.stride[0]! >= 0;
}

/** Row stride in elements of a 2-D (or 1-D, as one row) tensor whose rows are contiguous. */
export function rowStride(t: Tensor): number {
  return t.shape.length === 2 ? t.stride[0]! : 0;
}

/**
 * [address, row stride] of t [rows, cols] for a kernel to read: t's own when it is in kernel memory,
 * else a packed copy in scratch (row stride cols).
 */
export function stageIn(state: WasmState, t: Tensor, rows: number, cols: number, copy = true): [number, number] {
  const own = kernelAddress(state, t.data);
  if (own >= 0) return [own + 4 * t.offset, rowStride(t)];
  const at = take(rows * cols * 4);
  if (copy) copyRowsTo(state.f32, at >> 2, t, rows, cols);
  return [at, cols];
}

function copyRowsTo(dst: Float32Array, base: number, t: Tensor, rows: number, cols: number): void {
  const src = t.data, rs = rowStride(t);
  if (rows === 1 || rs === cols) {
    dst.set(src.subarray(t.offset, t.offset + rows * cols), base);
    return;
  }
  for (let i = 0; i < rows; i++) dst.set(src.subarray(t.offset + i * rs, t.offset + i * rs + cols), base + i * cols);
}

/** Copies a kernel's packed result at `at` [rows, cols] back into t when t lives outside kernel memory. */
export function stageOut(state: WasmState, t: Tensor, at: number, rows: number, cols: number): void {
  if (kernelAddress(state, t.data) >= 0) return;
  const src = state.f32, base = at >> 2, dst = t.data, rs = rowStride(t);
  if (rows === 1 || rs === cols) {
    dst.set(src.subarray(base, base + rows * cols), t.offset);
    return;
  }
  for (let i = 0; i < rows; i++) dst.set(src.subarray(base + i * cols, base + (i + 1) * cols), t.offset + i * rs);
}
