// The model's activation buffers for a forward pass of T tokens (llama2.c's RunState): allocated once, in
// kernel memory when the wasm module is loaded, and reused, so a decode step (T = 1) allocates nothing.
// `lastRow` views the same storage at row T - 1 only: what the last block finishes when only the last
// token's logits are wanted.
import { copyRows, kernelZeros, releaseKernelMemory, type Tensor } from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";

/** The buffers a block's tail and the head work on: all T rows, or the last row alone. */
export interface Rows {
  readonly first: number; // index of the first row among the T (0, or T - 1 for lastRow)
  readonly h: Tensor; // [R, d] residual stream
  readonly x: Tensor; // [R, d] layer-norm output
  readonly q: Tensor; // [R, d] queries (columns 0..d-1 of qkv)
  readonly y: Tensor; // [R, d] attention heads, concatenated
  readonly hidden: Tensor; // [R, F] MLP hidden layer
  readonly logits: Tensor; // [R, V]
}

/** Buffers of `rows` rows; the activations of T <= rows tokens use their first T rows. */
export class Storage {
  readonly h: Tensor; // [rows, d]
  readonly x: Tensor; // [rows, d]
  readonly qkv: Tensor; // [rows, 3d]: q | k | v
  readonly y: Tensor; // [rows, d]
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

/** Gives the kernel memory of `a`'s buffers (a Storage, or Activations over one) back now; `a` is dead after. */
export function releaseBuffers(a: Storage | Activations): void {
  for (const t of [a.h, a.x, a.qkv, a.y, a.hidden, a.logits, a.pe]) releaseKernelMemory(t);
}

export class Activations implements Rows {
  readonly first = 0;
  readonly h: Tensor; // [T, d]
  readonly x: Tensor; // [T, d]
  readonly qkv: Tensor; // [T, 3d]
  readonly q: Tensor; // [T, d] view of qkv's columns 0..d-1
  readonly k: Tensor; // [T, d] view of columns d..2d-1
  readonly v: Tensor; // [T, d] view of columns 2d..3d-1
  readonly y: Tensor; // [T, d]
  readonly hidden: Tensor; // [T, F]
  readonly logits: Tensor; // [T, V]
  readonly pe: Tensor; // [T, d] (sinusoidal positions only)
  private readonly logitsData: Float32Array; // logits' T·V floats, packed (copyLogits)
  private last: Rows | undefined;

  constructor(config: ModelConfig, readonly T: number, s: Storage) {
    const { dModel: d, dFF: F, vocabSize: V } = config;
    this.h = s.h.hi(T, d);
    this.x = s.x.hi(T, d);
    this.qkv = s.qkv.hi(T, 3 * d);
    this.q = this.qkv.hi(T, d);
    this.k = this.qkv.lo(0, d).hi(T, d);
    this.v = this.qkv.lo(0, 2 * d).hi(T, d);
    this.y = s.y.hi(T, d);
    this.hidden = s.hidden.hi(T, F);
    this.logits = s.logits.hi(T, V);
    this.logitsData = s.logits.data.subarray(s.logits.offset, s.logits.offset + T * V);
    this.pe = s.pe.shape[0]! >= T ? s.pe.hi(T, d) : s.pe;
  }

  /**
   * out [R, V] = rows, R rows of the logits (all of them, or the last row's view): one native copy of the
   * packed floats when rows is all of them and out's rows are packed too (a decode step), else copyRows.
   */
  copyLogits(rows: Tensor, out: Tensor): void {
    const V = out.shape[1]!;
    if (rows === this.logits && out.stride[1] === 1 && (out.stride[0] === V || this.T === 1)) out.data.set(this.logitsData, out.offset);
    else copyRows(rows, out, 0);
  }

  /** Row T - 1 of every buffer (the same storage), [1, ·] each; for T = 1 the activations themselves. */
  get lastRow(): Rows {
    if (this.T <= 1) return this;
    const row = (t: Tensor): Tensor => t.lo(this.T - 1, 0).hi(1, t.shape[1]!); // [1, cols]
    return (this.last ??= { first: this.T - 1, h: row(this.h), x: row(this.x), q: row(this.q), y: row(this.y), hidden: row(this.hidden), logits: row(this.logits) });
  }
}
