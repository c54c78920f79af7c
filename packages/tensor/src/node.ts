// Node-only helpers of @tinylm/tensor (import "@tinylm/tensor/node"; browsers never load this file).
import { setFlagsFromString } from "node:v8";

/**
 * Lets Node 20's V8 compile relaxed SIMD, so the kernels' fused multiply-add build can load (Node 22+
 * and browsers accept it without a flag). Only kernels compiled after this call see it, so call it in a
 * module imported before @tinylm/tensor itself (apps/tui/src/fma.ts is the first import of the CLI).
 */
export function enableRelaxedSimd(): void {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}
