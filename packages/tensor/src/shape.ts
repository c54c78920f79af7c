// Shape helpers shared by every op: formatting for messages and the checks at op boundaries.
import { ShapeError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/** "[3, 64]" — how shapes appear in every message. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Number of elements of a shape. sizeOf([3, 64]) // 192 */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, s) => n * s, 1);
}

/** Same rank and sizes. sameShape(a.shape, b.shape) */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Throws unless `t` is 2-D. */
export function assert2d(op: string, name: string, t: Tensor): void {
  if (t.shape.length !== 2) {
    throw new ShapeError(op, `${name} must be 2-D`, `${name} ${formatShape(t.shape)}`, `${name} [rows, cols]`);
  }
}

/**
 * Throws unless `t` has exactly `expected` (use -1 for "any size" on an axis).
 * assertShape("layerNorm", "weight", w, [64])
 */
export function assertShape(op: string, name: string, t: Tensor, expected: readonly number[]): void {
  const ok = t.shape.length === expected.length && expected.every((s, i) => s === -1 || s === t.shape[i]);
  if (!ok) {
    const want = formatShape(expected).replace(/-1/g, "n");
    throw new ShapeError(op, `${name} has the wrong shape`, `${name} ${formatShape(t.shape)}`, `${name} ${want}`);
  }
}
