// The WebAssembly SIMD kernels of @tinylm/tensor. Pointers are byte addresses in the imported memory,
// strides are in float32 elements; the TypeScript side (src/backend/) owns every allocation.
export { linear } from "./linear";
export { attention } from "./attention";
export { layer_norm } from "./layer-norm";
export { matvec } from "./matvec";
export { exp_f32 } from "./exp";
export { attention_paged } from "./attention-paged";
export { attention_int8 } from "./attention-int8";
export { run_program } from "./program";
export { copy_rows } from "./copy";
export { attention1_begin, attention1_scores, attention1_weights, attention1_max, attention1_exps, attention1_sum, attention1_values } from "./attention-one";
