// The plain TypeScript reference ops: every op's definition, strided, no backend. backend/dispatch.ts puts
// the wasm kernels in front of the ones that have one.
export { matmul, linear, checkLinear, type LinearFusion } from "./matmul.js";
export { attention, checkAttention, type AttentionOptions } from "./attention.js";
export { scale } from "./elementwise.js";
export { softmax, maskCausal, CAUSAL, type AttentionSpan } from "./softmax.js";
export { layerNorm, checkLayerNorm } from "./layer-norm.js";
export { embedding } from "./gather.js";
export { argmax } from "./reduce.js";
export { sliceRows, copyRows, checkCopyRows } from "./rows.js";
