// @tinylm/tensor — the entire public surface: the Tensor type, its constructors, the ops and the errors.
export { type Tensor, tensor, zeros, fromArray, toArray, randn, isContiguous, contiguous } from "./tensor.js";
export { Rng } from "./rng.js";
export { formatShape, sizeOf, sameShape, assertShape } from "./shape.js";
export { ShapeError, NumericError, IndexError, BackendError } from "./errors.js";
export { matmul, type LinearFusion } from "./ops/matmul.js";
export { linear, layerNorm, attention, copyRows } from "./backend/dispatch.js";
export { type AttentionOptions } from "./ops/attention.js";
export { add, scale } from "./ops/elementwise.js";
export { softmax, maskCausal, CAUSAL, type AttentionSpan } from "./ops/softmax.js";
export { prepareLinear, prepareLayerNorm, prepareAttention, type PreparedOp, type PreparedAttention } from "./backend/prepared.js";
export { embedding } from "./ops/gather.js";
export { argmax } from "./ops/reduce.js";
export { sliceRows } from "./ops/rows.js";
export { setBackend, getBackend, backendInfo, setFma, setThreads, warmThreads, type BackendName, type BackendInfo } from "./backend/backend.js";
export { allocFloat32, allocInt32, kernelZeros, kernelUninitialized, toKernelMemory, inKernelMemory } from "./backend/memory.js";
