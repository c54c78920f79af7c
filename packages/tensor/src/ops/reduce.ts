// Reductions along the last axis.
import { ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/**
 * x [n] -> index of the largest value; ties go to the lowest index (so greedy decoding is deterministic).
 * argmax(fromArray([1, 3, 3])) // 1
 */
export function argmax(x: Tensor): number {
  if (x.shape.length !== 1 || x.shape[0] === 0) {
    throw new ShapeError("argmax", "expects a non-empty 1-D tensor", formatShape(x.shape), "[n] with n > 0");
  }
  const n = x.shape[0]!, s = x.stride[0]!, D = x.data;
  let best = 0;
  let bestValue = D[x.offset]!;
  for (let i = 1; i < n; i++) {
    const v = D[x.offset + i * s]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
