// Helpers shared by the backend tests (not exported from the package).
import { Rng } from "../rng.js";
import { zeros, type Tensor } from "../tensor.js";
import { getBackend, setBackend, type BackendName } from "./backend.js";
import { allocFloat32, allocInt8, allocInt32, kernelZeros } from "./memory.js";

/** Runs f with `name` selected, then restores the previous backend. */
export function under<T>(name: BackendName, f: () => T): T {
  const previous = getBackend();
  setBackend(name);
  try {
    return f();
  } finally {
    setBackend(previous);
  }
}

export type Placement = "js" | "kernel" | "strided";

/**
 * A [rows, cols] tensor of N(0, 1) values: in JS memory, in kernel memory, or a column window of a wider
 * kernel-memory matrix (row stride > cols, nonzero offset), like one head's view of q, k or v.
 */
export function randomMatrix(rng: Rng, rows: number, cols: number, placement: Placement): Tensor {
  const wide = placement === "strided" ? cols + 5 : cols;
  const base = placement === "js" ? zeros([rows, wide]) : kernelZeros([rows, wide]);
  for (let i = 0; i < base.data.length; i++) base.data[i] = rng.normal();
  return placement === "strided" ? base.lo(0, 3).hi(rows, cols) : base;
}

export function randomVector(rng: Rng, n: number, inKernel: boolean): Tensor {
  const t = inKernel ? kernelZeros([n]) : zeros([n]);
  for (let i = 0; i < n; i++) t.data[i] = rng.normal();
  return t;
}

/** max |a - b| over all elements of two same-shape 2-D tensors. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.shape[0]!; i++) {
    for (let j = 0; j < a.shape[1]!; j++) m = Math.max(m, Math.abs(a.get(i, j) - b.get(i, j)));
  }
  return m;
}

/** The values of row i as a plain array (for bitwise comparisons with toEqual). */
export function rowOf(t: Tensor, i: number): number[] {
  return Array.from({ length: t.shape[1]! }, (_, j) => t.get(i, j));
}

/** S int8 key and value rows of width d in kernel memory, with per-row scales (keys' per token). */
export function randomInt8Rows(rng: Rng, S: number, d: number): { kd: Int8Array; vd: Int8Array; ks: Float32Array; vs: Float32Array } {
  const n = S * d, kd = allocInt8(n), vd = allocInt8(n), ks = allocFloat32(S), vs = allocFloat32(S);
  for (let i = 0; i < n; i++) {
    kd[i] = Math.round(rng.uniform() * 254) - 127;
    vd[i] = Math.round(rng.uniform() * 254) - 127;
  }
  for (let j = 0; j < S; j++) {
    ks[j] = rng.uniform() / 100;
    vs[j] = rng.uniform() / 100;
  }
  return { kd, vd, ks, vs };
}

/** Positions 0, 1, …, S - 1 in kernel memory. */
export function consecutivePositions(S: number): Int32Array {
  const positions = allocInt32(S);
  for (let j = 0; j < S; j++) positions[j] = j;
  return positions;
}

/** t's elements [rows, d] in row order as float32 little-endian bytes, whatever its strides. */
export function elementBytes(t: Tensor): Buffer {
  const rows = t.shape[0]!, d = t.shape[1]!, out = Buffer.alloc(4 * rows * d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) out.writeFloatLE(t.get(i, j), 4 * (i * d + j));
  return out;
}
