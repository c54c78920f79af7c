// The wasm layer norm (float32 statistics). Declines like wasmLinear.
import type { Tensor } from "../tensor.js";
import { activeWasm } from "./backend.js";
import { beginCall, rowsContiguous, stageBytes, stageIn, stageOut } from "./operands.js";

/** x [T, d], weight [d], bias [d], out [T, d] (shapes already validated). */
export function wasmLayerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number, out: Tensor): boolean {
  const state = activeWasm();
  if (!state) return false;
  if (!rowsContiguous(x) || !rowsContiguous(weight) || !rowsContiguous(bias) || !rowsContiguous(out)) return false;
  const [T, d] = x.shape as [number, number];
  if (T === 0 || d === 0) return true;
  const need = stageBytes(state, x, T, d) + stageBytes(state, weight, 1, d) + stageBytes(state, bias, 1, d) + stageBytes(state, out, T, d);
  if (!beginCall(state, need)) return false;
  const [xp, xs] = stageIn(state, x, T, d);
  const [wp] = stageIn(state, weight, 1, d);
  const [bp] = stageIn(state, bias, 1, d);
  const [op, os] = stageIn(state, out, T, d, false);
  state.kernels.layer_norm(xp, xs, wp, bp, op, os, T, d, eps);
  stageOut(state, out, op, T, d);
  return true;
}
