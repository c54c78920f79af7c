// Slicing and copying rows along the sequence axis (axis 0 of [T, d]).
import { ShapeError } from "../errors.js";
import { assert2d, formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/**
 * x [T, d] -> view [end - start, d] of rows start..end-1 (no copy).
 * const last = sliceRows(logits, T - 1, T) // [1, V]
 */
export function sliceRows(x: Tensor, start: number, end: number): Tensor {
  assert2d("sliceRows", "x", x);
  const T = x.shape[0]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > T || start > end) {
    throw new ShapeError("sliceRows", "row range out of bounds", `${start}..${end} of x ${formatShape(x.shape)}`, `0 <= start <= end <= ${T}`);
  }
  return x.lo(start, 0).hi(end - start, x.shape[1]!);
}

/**
 * Copies src [T, d] into rows at..at+T-1 of dst [*, d]. The KV caches use this to append.
 * copyRows(newKeys, keys, length) // keys[length..length+T) = newKeys
 */
export function copyRows(src: Tensor, dst: Tensor, at: number): void {
  checkCopyRows(src, dst, at);
  const T = src.shape[0]!, d = src.shape[1]!;
  const S = src.data, D = dst.data;
  const ss0 = src.stride[0]!, ss1 = src.stride[1]!, ds0 = dst.stride[0]!, ds1 = dst.stride[1]!;
  for (let i = 0; i < T; i++) {
    const sr = src.offset + i * ss0, dr = dst.offset + (at + i) * ds0;
    for (let j = 0; j < d; j++) D[dr + j * ds1] = S[sr + j * ss1]!;
  }
}

/** The shape checks of `copyRows` (ShapeError naming the operand), without running it. */
export function checkCopyRows(src: Tensor, dst: Tensor, at: number): void {
  assert2d("copyRows", "src", src);
  assert2d("copyRows", "dst", dst);
  const T = src.shape[0]!, d = src.shape[1]!; // (no array destructuring: it can allocate an iterator per call)
  if (dst.shape[1] !== d || !Number.isInteger(at) || at < 0 || at + T > dst.shape[0]!) {
    throw new ShapeError("copyRows", "rows do not fit", `src ${formatShape(src.shape)} at row ${at} of dst ${formatShape(dst.shape)}`, `dst [>= ${at + T}, ${d}]`);
  }
}
