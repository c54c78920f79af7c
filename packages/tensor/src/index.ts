// @tinylm/tensor — the entire public surface: the Tensor type, its constructors, the ops and the errors.
export { type Tensor, tensor, zeros, fromArray, toArray, randn, isContiguous, contiguous } from "./tensor.js";
export { Rng } from "./rng.js";
export { formatShape, sizeOf, sameShape, assertShape } from "./shape.js";
export { ShapeError, NumericError, IndexError } from "./errors.js";
export { matmul, linear } from "./ops/matmul.js";
export { add, scale, relu, addRow } from "./ops/elementwise.js";
export { softmax, maskCausal, CAUSAL, type AttentionSpan } from "./ops/softmax.js";
export { layerNorm } from "./ops/layer-norm.js";
export { embedding } from "./ops/gather.js";
export { argmax } from "./ops/reduce.js";
export { sliceRows, concatRows, copyRows } from "./ops/rows.js";
