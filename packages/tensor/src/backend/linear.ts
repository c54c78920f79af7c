// The wasm linear: out = act(x · Wᵀ + bias) (+ out). Declines (returns false) for layouts the kernel does
// not take (a last axis that is not unit-stride) or when scratch cannot be had; the caller then runs JS.
import type { Tensor } from "../tensor.js";
import { activeWasm } from "./backend.js";
import { beginCall, rowsContiguous, stageBytes, stageIn, stageOut } from "./operands.js";

export const RELU = 1;
export const ACCUMULATE = 2;

/** x [T, n], weight [m, n], bias [m] | undefined, out [T, m] (shapes already validated). */
export function wasmLinear(x: Tensor, weight: Tensor, bias: Tensor | undefined, out: Tensor, flags: number): boolean {
  const state = activeWasm();
  if (!state) return false;
  if (!rowsContiguous(x) || !rowsContiguous(weight) || !rowsContiguous(out) || (bias && !rowsContiguous(bias))) return false;
  const [T, n] = x.shape as [number, number];
  const m = weight.shape[0]!;
  if (T === 0 || m === 0) return true;
  const need = stageBytes(state, x, T, n) + stageBytes(state, weight, m, n) + (bias ? stageBytes(state, bias, 1, m) : 0) + stageBytes(state, out, T, m);
  if (!beginCall(state, need)) return false;
  const [xp, xs] = stageIn(state, x, T, n);
  const [wp, ws] = stageIn(state, weight, m, n);
  const bp = bias ? stageIn(state, bias, 1, m)[0] : 0;
  const [op, os] = stageIn(state, out, T, m, (flags & ACCUMULATE) !== 0);
  state.kernels.linear(xp, xs, wp, ws, bp, op, os, T, n, m, flags);
  stageOut(state, out, op, T, m);
  return true;
}
