// Elementwise ops: add, scale. Built on ndarray-ops (destination-first), shape-checked here.
import ops from "ndarray-ops";
import { ShapeError } from "../errors.js";
import { formatShape, sameShape } from "../shape.js";
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
