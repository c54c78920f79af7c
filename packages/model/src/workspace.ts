// The model's activations for a forward pass of T tokens, and every op of the pass prepared over them.
// Buffers are allocated once, in kernel memory when the wasm module is loaded, and reused: a decode step
// (T = 1, one cached workspace) allocates nothing, copies no activation into the kernels' scratch and checks
// no shape. The model copies the logits out before returning, so callers never see a reused buffer.
import {
  kernelZeros, prepareAttention, prepareLayerNorm, prepareLinear, type PreparedAttention, type PreparedOp, type Tensor,
} from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";
import type { Block, Linear, Weights } from "./weights.js";

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

/**
 * The last block's work after its attention input, and the head, on the last row only: what forward's
 * `logits: "last"` runs. The other rows' keys and values are still computed (the cache needs them), but
 * no later step reads their attention output, MLP or logits. Each op is the same dot products in the same
 * order as on the full rows (a single-row linear gives a batched row's bits), so the logits are bit for bit
 * the last row of the full pass.
 */
export interface LastRowOps {
  readonly attend: PreparedAttention; // y[T-1] = attention of q[T-1] over every key
  readonly o: PreparedOp; // h[T-1] += y[T-1] · Woᵀ + bo
  readonly ln2: PreparedOp;
  readonly fc1: PreparedOp;
  readonly fc2: PreparedOp;
  readonly lnF: PreparedOp;
  readonly lmHead: PreparedOp; // logits [1, V] = ln_f(h[T-1]) · Wᵀ + b
  readonly logits: Tensor; // [1, V]
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
  private lastOps: LastRowOps | undefined;

  constructor(private readonly config: ModelConfig, private readonly weights: Weights, qkv: readonly Linear[], readonly T: number, private readonly s: Storage) {
    const { dModel: d, dFF: F, vocabSize: V, normEps: eps, nHeads } = config;
    const rows = (t: Tensor, cols: number): Tensor => t.hi(T, cols);
    const h = (this.h = rows(s.h, d));
    const x = rows(s.x, d), y = rows(s.y, d), hidden = rows(s.hidden, F), qkvOut = rows(s.qkv, 3 * d);
    this.q = qkvOut.hi(T, d);
    this.k = qkvOut.lo(0, d).hi(T, d);
    this.v = qkvOut.lo(0, 2 * d).hi(T, d);
    this.logits = rows(s.logits, V);
    this.pe = s.pe.shape[0]! >= T ? rows(s.pe, d) : s.pe;
    const rowsOf = { h, x, y, hidden };
    this.layers = weights.blocks.map((b, i): LayerOps => ({
      ln1: prepareLayerNorm(h, b.ln1.weight, b.ln1.bias, eps, x),
      qkv: prepareLinear(x, qkv[i]!.weight, qkv[i]!.bias, qkvOut),
      attend: prepareAttention(this.q, y, nHeads),
      ...blockTail(b, rowsOf, eps),
    }));
    const top = head(weights, rowsOf, this.logits, eps);
    this.lnF = top.lnF;
    this.lmHead = top.lmHead;
  }

  /** The last block's ops after attention input, and the head, on row T - 1 only (prepared on first use). */
  get lastRow(): LastRowOps {
    if (this.lastOps) return this.lastOps;
    const { dModel: d, dFF: F, vocabSize: V, normEps: eps, nHeads } = this.config;
    const { s, T, weights } = this;
    const row = (t: Tensor, cols: number): Tensor => t.lo(T - 1, 0).hi(1, cols); // [1, cols]
    const rowsOf = { h: row(s.h, d), x: row(s.x, d), y: row(s.y, d), hidden: row(s.hidden, F) };
    const q = row(s.qkv, 3 * d).hi(1, d), logits = row(s.logits, V);
    return (this.lastOps = {
      attend: prepareAttention(q, rowsOf.y, nHeads),
      ...blockTail(weights.blocks[weights.blocks.length - 1]!, rowsOf, eps),
      ...head(weights, rowsOf, logits, eps),
      logits,
    });
  }
}

/** The activations a block's tail and the head work on: all T rows, or the last row alone. */
interface Rows {
  readonly h: Tensor; // [rows, d] residual stream
  readonly x: Tensor; // [rows, d] layer-norm output
  readonly y: Tensor; // [rows, d] attention output
  readonly hidden: Tensor; // [rows, F]
}

/** A block after its attention: h += o(y); x = ln2(h); hidden = relu(fc1(x)); h += fc2(hidden). */
function blockTail(b: Block, r: Rows, eps: number): Pick<LayerOps, "o" | "ln2" | "fc1" | "fc2"> {
  return {
    o: prepareLinear(r.y, b.attn.o.weight, b.attn.o.bias, r.h, { accumulate: true }),
    ln2: prepareLayerNorm(r.h, b.ln2.weight, b.ln2.bias, eps, r.x),
    fc1: prepareLinear(r.x, b.mlp.fc1.weight, b.mlp.fc1.bias, r.hidden, { relu: true }),
    fc2: prepareLinear(r.hidden, b.mlp.fc2.weight, b.mlp.fc2.bias, r.h, { accumulate: true }),
  };
}

/** The head: x = ln_f(h); logits = x · Wᵀ + b. */
function head(weights: Weights, r: Rows, logits: Tensor, eps: number): { lnF: PreparedOp; lmHead: PreparedOp } {
  return {
    lnF: prepareLayerNorm(r.h, weights.lnF.weight, weights.lnF.bias, eps, r.x),
    lmHead: prepareLinear(r.x, weights.lmHead.weight, weights.lmHead.bias, logits),
  };
}
