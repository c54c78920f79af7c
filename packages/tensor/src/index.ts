// @tinylm/tensor — the entire public surface: the Tensor type, its constructors, the ops and the errors.
export { type Tensor, tensor, zeros, fromArray, toArray, randn, isContiguous, contiguous } from "./tensor.js";
export { Rng } from "./rng.js";
export { formatShape, sizeOf, sameShape, assertShape } from "./shape.js";
export { ShapeError, NumericError, IndexError, BackendError } from "./errors.js";
export { matmul, linear, type LinearFusion } from "./ops/matmul.js";
export { attention, type AttentionOptions } from "./ops/attention.js";
export { add, scale, relu, addRow } from "./ops/elementwise.js";
export { softmax, maskCausal, CAUSAL, type AttentionSpan } from "./ops/softmax.js";
export { layerNorm } from "./ops/layer-norm.js";
export { prepareLinear, prepareLayerNorm, prepareAttention, type PreparedOp, type PreparedAttention } from "./ops/prepared.js";
export { embedding } from "./ops/gather.js";
export { argmax } from "./ops/reduce.js";
export { sliceRows, concatRows, copyRows } from "./ops/rows.js";
export { setBackend, getBackend, backendInfo, setFma, setThreads, warmThreads, type BackendName, type BackendInfo } from "./backend/backend.js";
export { allocFloat32, allocInt32, kernelZeros, kernelUninitialized, toKernelMemory, inKernelMemory } from "./backend/memory.js";
