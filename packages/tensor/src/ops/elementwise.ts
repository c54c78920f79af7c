// Elementwise ops: add, scale, bias add, relu. Built on ndarray-ops (destination-first), shape-checked here.
import ops from "ndarray-ops";
import { ShapeError } from "../errors.js";
import { assert2d, assertShape, formatShape, sameShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";

/** Throws unless `other` has the shape of `a`; the names are the arguments' names in the message. */
function checkSame(op: string, a: Tensor, other: Tensor, name: string, aName = "a"): void {
  if (!sameShape(a.shape, other.shape)) {
    throw new ShapeError(op, "shapes differ", `${aName} ${formatShape(a.shape)} and ${name} ${formatShape(other.shape)}`, `${name} ${formatShape(a.shape)}`);
  }
}

/**
 * a [...] + b [...] -> [...] (same shapes; `out` may be `a` for in-place).
 * add(h, attnOut, h) // residual, in place
 */
export function add(a: Tensor, b: Tensor, out: Tensor = zeros(a.shape)): Tensor {
  checkSame("add", a, b, "b");
  checkSame("add", a, out, "out");
  ops.add(out, a, b);
  return out;
}

/** a [...] * s -> [...]. scale(scores, 1 / Math.sqrt(dh)) */
export function scale(a: Tensor, s: number, out: Tensor = zeros(a.shape)): Tensor {
  checkSame("scale", a, out, "out");
  ops.muls(out, a, s);
  return out;
}

/** max(a, 0) elementwise. relu(hidden, hidden) // in place */
export function relu(a: Tensor, out: Tensor = zeros(a.shape)): Tensor {
  checkSame("relu", a, out, "out");
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
  checkSame("addRow", x, out, "out", "x");
  for (let i = 0; i < x.shape[0]!; i++) ops.add(out.pick(i, null), x.pick(i, null), bias);
  return out;
}
