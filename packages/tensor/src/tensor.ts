// Tensor = an ndarray view over float32 storage: shape, stride and offset come from ndarray, so
// transposes and slices are free views. Constructors and conversion to plain arrays live here.
import ndarray from "ndarray";
import type { NdArray } from "ndarray";
import { ShapeError } from "./errors.js";
import { formatShape, sizeOf } from "./shape.js";
import type { Rng } from "./rng.js";

/** A float32 ndarray view (any rank; the model uses 1-D and 2-D). */
export type Tensor = NdArray<Float32Array>;

/**
 * Wraps `data` (row-major) as a tensor of `shape`.
 * tensor(new Float32Array([1, 2, 3, 4]), [2, 2])
 */
export function tensor(data: Float32Array, shape: readonly number[]): Tensor {
  if (data.length !== sizeOf(shape)) {
    throw new ShapeError("tensor", "data length does not match the shape", `${data.length} values`, `${sizeOf(shape)} for ${formatShape(shape)}`);
  }
  return ndarray(data, [...shape]);
}

/** A new zero-filled tensor. zeros([T, d]) */
export function zeros(shape: readonly number[]): Tensor {
  return ndarray(new Float32Array(sizeOf(shape)), [...shape]);
}

/**
 * A tensor from nested number arrays: fromArray([[1, 2], [3, 4]]) -> [2, 2].
 * Rows must all have the same length.
 */
export function fromArray(values: readonly number[] | readonly (readonly number[])[]): Tensor {
  if (values.length > 0 && Array.isArray(values[0])) {
    const rows = values as readonly (readonly number[])[];
    const cols = rows[0]!.length;
    const out = zeros([rows.length, cols]);
    rows.forEach((row, i) => {
      if (row.length !== cols) {
        throw new ShapeError("fromArray", "rows differ in length", `row ${i} with ${row.length}`, `${cols} like row 0`);
      }
      out.data.set(row, i * cols);
    });
    return out;
  }
  return tensor(Float32Array.from(values as readonly number[]), [values.length]);
}

/**
 * Tensor -> nested plain arrays (1-D -> number[], 2-D -> number[][]), whatever its strides.
 * toArray(fromArray([[1, 2], [3, 4]]).transpose(1, 0)) // [[1, 3], [2, 4]]
 */
export function toArray(t: Tensor): number[] | number[][] {
  if (t.shape.length === 1) {
    return Array.from({ length: t.shape[0]! }, (_, i) => t.get(i));
  }
  if (t.shape.length === 2) {
    const [rows, cols] = t.shape as [number, number];
    return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => t.get(i, j)));
  }
  throw new ShapeError("toArray", "only 1-D and 2-D tensors convert", `${formatShape(t.shape)}`, "rank 1 or 2");
}

/**
 * True when `t` is a row-major view with no gaps, so `t.data` can be read linearly from `t.offset`.
 * isContiguous(w.transpose(1, 0)) // false for a [2, 3] w
 */
export function isContiguous(t: Tensor): boolean {
  let expected = 1;
  for (let axis = t.shape.length - 1; axis >= 0; axis--) {
    if (t.shape[axis]! > 1 && t.stride[axis] !== expected) return false;
    expected *= t.shape[axis]!;
  }
  return true;
}

/** `t` itself when contiguous, else a contiguous copy. contiguous(w.transpose(1, 0)) */
export function contiguous(t: Tensor): Tensor {
  if (isContiguous(t)) return t;
  const out = zeros(t.shape);
  if (t.shape.length === 2) {
    const [rows, cols] = t.shape as [number, number];
    const [s0, s1] = t.stride as [number, number];
    const src = t.data;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out.data[i * cols + j] = src[t.offset + i * s0 + j * s1]!;
    }
    return out;
  }
  const flat = out.data;
  let n = 0;
  const walk = (axis: number, base: number): void => {
    for (let i = 0; i < t.shape[axis]!; i++) {
      const at = base + i * t.stride[axis]!;
      if (axis === t.shape.length - 1) flat[n++] = t.data[at]!;
      else walk(axis + 1, at);
    }
  };
  walk(0, t.offset);
  return out;
}

/** A tensor of N(0, std²) values drawn from `rng` in row-major order. randn([V, d], new Rng(42), 0.02) */
export function randn(shape: readonly number[], rng: Rng, std = 1): Tensor {
  const out = zeros(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = rng.normal() * std;
  return out;
}
