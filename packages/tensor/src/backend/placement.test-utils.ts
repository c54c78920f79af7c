// Helpers shared by the backend tests (not exported from the package).
import { Rng } from "../rng.js";
import { zeros, type Tensor } from "../tensor.js";
import { getBackend, setBackend, type BackendName } from "./backend.js";
import { kernelZeros } from "./memory.js";

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
