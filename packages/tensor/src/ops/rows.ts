// Slicing and concatenation along the sequence axis (axis 0 of [T, d]).
import { ShapeError } from "../errors.js";
import { assert2d, formatShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";
import { loadedWasm } from "../backend/backend.js";
import { kernelAddress } from "../backend/memory.js";

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
 * a [Ta, d], b [Tb, d] -> [Ta + Tb, d] (a new tensor).
 * const keys = concatRows(pastKeys, newKeys)
 */
export function concatRows(a: Tensor, b: Tensor): Tensor {
  assert2d("concatRows", "a", a);
  assert2d("concatRows", "b", b);
  const [Ta, d] = a.shape as [number, number];
  const [Tb, db] = b.shape as [number, number];
  if (d !== db) {
    throw new ShapeError("concatRows", "column counts differ", `a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`, `b [n, ${d}]`);
  }
  const out = zeros([Ta + Tb, d]);
  copyRows(a, out, 0);
  copyRows(b, out, Ta);
  return out;
}

/**
 * Copies src [T, d] into rows at..at+T-1 of dst [*, d]. The KV caches use this to append.
 * copyRows(newKeys, keys, length) // keys[length..length+T) = newKeys
 */
export function copyRows(src: Tensor, dst: Tensor, at: number): void {
  assert2d("copyRows", "src", src);
  assert2d("copyRows", "dst", dst);
  const T = src.shape[0]!, d = src.shape[1]!; // (no array destructuring: it can allocate an iterator per call)
  if (dst.shape[1] !== d || !Number.isInteger(at) || at < 0 || at + T > dst.shape[0]!) {
    throw new ShapeError("copyRows", "rows do not fit", `src ${formatShape(src.shape)} at row ${at} of dst ${formatShape(dst.shape)}`, `dst [>= ${at + T}, ${d}]`);
  }
  const S = src.data, D = dst.data;
  const ss0 = src.stride[0]!, ss1 = src.stride[1]!, ds0 = dst.stride[0]!, ds1 = dst.stride[1]!;
  const state = loadedWasm();
  const sAt = state ? kernelAddress(state, S) : -1, dAt = state && sAt >= 0 ? kernelAddress(state, D) : -1;
  if (T > 0 && state && sAt >= 0 && dAt >= 0 && ss1 === 1 && ds1 === 1 && ss0 >= 0 && ds0 >= 0) {
    // both in kernel memory with contiguous rows (a KV-cache append): one native copy per row within the
    // one buffer, when the source and destination ranges are disjoint (else the loop below, as always)
    const all = state.f32, sBase = (sAt >> 2) + src.offset, dBase = (dAt >> 2) + dst.offset + at * ds0;
    const sEnd = sBase + (T - 1) * ss0 + d, dEnd = dBase + (T - 1) * ds0 + d;
    if (sEnd <= dBase || dEnd <= sBase) {
      for (let i = 0; i < T; i++) all.copyWithin(dBase + i * ds0, sBase + i * ss0, sBase + i * ss0 + d);
      return;
    }
  }
  for (let i = 0; i < T; i++) {
    const sr = src.offset + i * ss0, dr = dst.offset + (at + i) * ds0;
    for (let j = 0; j < d; j++) D[dr + j * ds1] = S[sr + j * ss1]!;
  }
}
