// The model's activations for a forward pass of T tokens, and every op of the pass prepared over them.
// Buffers are allocated once, in kernel memory when the wasm module is loaded, and reused: a decode step
// (T = 1, one cached workspace) allocates nothing, copies no activation into the kernels' scratch and checks
// no shape. The model copies the logits out before returning, so callers never see a reused buffer.
import {
  kernelZeros, prepareAttention, prepareLayerNorm, prepareLinear, type PreparedAttention, type PreparedOp, type Tensor,
} from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";
import type { Linear, Weights } from "./weights.js";

/** Buffers of `rows` rows; a workspace for T <= rows uses their first T rows. */
export class Storage {
  readonly h: Tensor; // [rows, d] residual stream
  readonly x: Tensor; // [rows, d] layer-norm output
  readonly qkv: Tensor; // [rows, 3d]: q | k | v
  readonly y: Tensor; // [rows, d] attention heads, concatenated
  readonly hidden: Tensor; // [rows, F]
  readonly logits: Tensor; // [rows, V]
  readonly pe: Tensor; // [rows, d] sinusoids (empty for learned positions)

  constructor(config: ModelConfig, readonly rows: number) {
    const { dModel: d, dFF: F, vocabSize: V } = config;
    this.h = kernelZeros([rows, d]);
    this.x = kernelZeros([rows, d]);
    this.qkv = kernelZeros([rows, 3 * d]);
    this.y = kernelZeros([rows, d]);
    this.hidden = kernelZeros([rows, F]);
    this.logits = kernelZeros([rows, V]);
    this.pe = kernelZeros([config.positional === "sinusoidal" ? rows : 0, d]);
  }
}

export interface LayerOps {
  readonly ln1: PreparedOp; // x = ln1(h)
  readonly qkv: PreparedOp; // [q | k | v] = x · Wqkvᵀ + bqkv
  readonly attend: PreparedAttention; // y = heads of softmax(mask(q·kᵀ/√dh))·v
  readonly o: PreparedOp; // h += y · Woᵀ + bo
  readonly ln2: PreparedOp; // x = ln2(h)
  readonly fc1: PreparedOp; // hidden = relu(x · W1ᵀ + b1)
  readonly fc2: PreparedOp; // h += hidden · W2ᵀ + b2
}

export class Workspace {
  readonly h: Tensor; // [T, d]
  readonly q: Tensor; // [T, d] view of qkv's columns 0..d-1
  readonly k: Tensor; // [T, d] view of columns d..2d-1
  readonly v: Tensor; // [T, d] view of columns 2d..3d-1
  readonly logits: Tensor; // [T, V]
  readonly pe: Tensor; // [T, d] (sinusoidal positions only)
  readonly layers: readonly LayerOps[];
  readonly lnF: PreparedOp; // x = ln_f(h)
  readonly lmHead: PreparedOp; // logits = x · Wᵀ + b

  constructor(config: ModelConfig, weights: Weights, qkv: readonly Linear[], readonly T: number, s: Storage) {
    const { dModel: d, dFF: F, vocabSize: V, normEps: eps, nHeads } = config;
    const rows = (t: Tensor, cols: number): Tensor => t.hi(T, cols);
    const h = (this.h = rows(s.h, d));
    const x = rows(s.x, d), y = rows(s.y, d), hidden = rows(s.hidden, F), qkvOut = rows(s.qkv, 3 * d);
    this.q = qkvOut.hi(T, d);
    this.k = qkvOut.lo(0, d).hi(T, d);
    this.v = qkvOut.lo(0, 2 * d).hi(T, d);
    this.logits = rows(s.logits, V);
    this.pe = s.pe.shape[0]! >= T ? rows(s.pe, d) : s.pe;
    this.layers = weights.blocks.map((b, i): LayerOps => ({
      ln1: prepareLayerNorm(h, b.ln1.weight, b.ln1.bias, eps, x),
      qkv: prepareLinear(x, qkv[i]!.weight, qkv[i]!.bias, qkvOut),
      attend: prepareAttention(this.q, y, nHeads),
      o: prepareLinear(y, b.attn.o.weight, b.attn.o.bias, h, { accumulate: true }),
      ln2: prepareLayerNorm(h, b.ln2.weight, b.ln2.bias, eps, x),
      fc1: prepareLinear(x, b.mlp.fc1.weight, b.mlp.fc1.bias, hidden, { relu: true }),
      fc2: prepareLinear(hidden, b.mlp.fc2.weight, b.mlp.fc2.bias, h, { accumulate: true }),
    }));
    this.lnF = prepareLayerNorm(h, weights.lnF.weight, weights.lnF.bias, eps, x);
    this.lmHead = prepareLinear(x, weights.lmHead.weight, weights.lmHead.bias, this.logits);
  }
}
