// Elementwise ops: add, scale, bias add, relu. Built on ndarray-ops (destination-first), shape-checked here.
import ops from "ndarray-ops";
import { ShapeError } from "../errors.js";
import { assert2d, assertShape, formatShape, sameShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";

function checkSame(op: string, a: Tensor, b: Tensor): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError(op, "shapes differ", `a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`, `b ${formatShape(a.shape)}`);
  }
}

/**
 * a [...] + b [...] -> [...] (same shapes; `out` may be `a` for in-place).
 * add(h, attnOut, h) // residual, in place
 */
export function add(a: Tensor, b: Tensor, out: Tensor = zeros(a.shape)): Tensor {
  checkSame("add", a, b);
  checkSame("add", a, out);
  ops.add(out, a, b);
  return out;
}

/** a [...] * s -> [...]. scale(scores, 1 / Math.sqrt(dh)) */
export function scale(a: Tensor, s: number, out: Tensor = zeros(a.shape)): Tensor {
  checkSame("scale", a, out);
  ops.muls(out, a, s);
  return out;
}

/** max(a, 0) elementwise. relu(hidden, hidden) // in place */
export function relu(a: Tensor, out: Tensor = zeros(a.shape)): Tensor {
  checkSame("relu", a, out);
  ops.maxs(out, a, 0);
  return out;
}

/**
 * x [T, n] + bias [n] broadcast over rows -> [T, n].
 * addRow(x, tokEmbRow)
 */
export function addRow(x: Tensor, bias: Tensor, out: Tensor = zeros(x.shape)): Tensor {
  assert2d("addRow", "x", x);
  assertShape("addRow", "bias", bias, [x.shape[1]!]);
  checkSame("addRow", x, out);
  for (let i = 0; i < x.shape[0]!; i++) ops.add(out.pick(i, null), x.pick(i, null), bias);
  return out;
}
