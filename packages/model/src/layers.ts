// The ops model.ts is written in: each names its output first and takes its parameters as one object,
// `linear(qkv, x, blk.qkv)`, and runs the matching prepared op of @tinylm/tensor (which picks the wasm
// kernels or the TypeScript reference). An op is prepared on its first call with a given pair of buffers
// and kept on its parameters (the last two pairs: a decode step's and a prefill's), so a decode step checks
// no shape and allocates nothing. Buffers are compared by identity: pass the same tensors to reuse a run.
import {
  embedding, int8Attention, pagedAttention, prepareAttention, prepareLayerNorm, prepareLinear,
  type AttentionSpan, type LinearFusion, type PreparedAttention, type PreparedOp, type Tensor,
} from "@tinylm/tensor";
import type { KVView } from "./kv-cache/types.js";
import { viewRows } from "./kv-cache/view.js";
import { writeSinusoid } from "./positional.js";

interface Run<Op> {
  readonly out: Tensor;
  readonly x: Tensor;
  readonly flags: number;
  readonly op: Op;
}

/** Up to two prepared runs, the most recent first. */
class Runs<Op> {
  private a: Run<Op> | null = null;
  private b: Run<Op> | null = null;

  get(out: Tensor, x: Tensor, flags: number, prepare: () => Op): Op {
    const a = this.a;
    if (a !== null && a.out === out && a.x === x && a.flags === flags) return a.op;
    const b = this.b;
    this.b = a;
    this.a = b !== null && b.out === out && b.x === x && b.flags === flags ? b : { out, x, flags, op: prepare() };
    return this.a.op;
  }
}

/** A linear layer's parameters: weight [out, in] (PyTorch layout), bias [out]. */
export class LinearParams {
  readonly runs = new Runs<PreparedOp>();
  constructor(readonly weight: Tensor, readonly bias: Tensor) {}
}

/** A layer norm's parameters: weight [d], bias [d], eps. */
export class NormParams {
  readonly runs = new Runs<PreparedOp>();
  constructor(readonly weight: Tensor, readonly bias: Tensor, readonly eps: number) {}
}

/** Multi-head attention's one parameter, the number of heads (dh = d / heads). */
export class AttentionParams {
  readonly runs = new Runs<PreparedAttention>();
  constructor(readonly heads: number) {}
}

/**
 * out [R, m] = x [R, n] · weightᵀ + bias; with { relu: true } max(·, 0) of it, with { accumulate: true }
 * out += it (a residual connection), in the same pass.
 */
export function linear(out: Tensor, x: Tensor, p: LinearParams, fuse?: LinearFusion): void {
  const flags = (fuse?.relu ? 1 : 0) | (fuse?.accumulate ? 2 : 0);
  p.runs.get(out, x, flags, () => prepareLinear(x, p.weight, p.bias, out, fuse))();
}

/** out [R, d] = (x - mean) / sqrt(var + eps) · weight + bias, per row. */
export function layerNorm(out: Tensor, x: Tensor, p: NormParams): void {
  p.runs.get(out, x, 0, () => prepareLayerNorm(x, p.weight, p.bias, p.eps, out))();
}

/**
 * out [R, d] = softmax(mask(q·kᵀ/√dh))·v per head, q [R, d] at positions queryStart.., over the keys and
 * values of `kv` (rows [S, d] at kv.positions, or a strategy's blocks or int8 rows, read where they are);
 * `observe` receives each head's probabilities [R, S].
 */
export function attend(
  out: Tensor, q: Tensor, kv: KVView, queryStart: number, span: AttentionSpan, p: AttentionParams,
  observe?: (head: number, probs: Tensor) => void,
): void {
  if ("layout" in kv && !observe) {
    const options = { queryStart, span, nHeads: p.heads, out };
    if (kv.layout === "blocks") pagedAttention(q, kv.table, kv.length, options);
    else int8Attention(q, kv.keys, kv.values, kv.length, options);
    return;
  }
  const rows = viewRows(kv); // the probabilities are observed: attention over the rows, which makes them
  p.runs.get(out, q, 0, () => prepareAttention(q, out, p.heads))(rows.keys, rows.values, rows.positions, queryStart, span, observe);
}

/**
 * out [T, d] = tokEmb[tokens] + position rows start..start+T-1: rows of posEmb [C, d] when positions are
 * learned, else sinusoids written into pe [T, d]. Ids are checked (IndexError) before anything is written.
 */
export function embed(out: Tensor, tokens: ArrayLike<number>, start: number, tokEmb: Tensor, posEmb: Tensor | undefined, pe: Tensor): void {
  const T = tokens.length, d = out.shape[1]!;
  for (let t = 0; t < T; t++) {
    const id = tokens[t]!;
    if (tokEmb.shape[1] !== d || !Number.isInteger(id) || id < 0 || id >= tokEmb.shape[0]!) embedding(tokEmb, tokens); // throws the IndexError/ShapeError
  }
  const pos = posEmb ?? pe;
  if (!posEmb) for (let t = 0; t < T; t++) writeSinusoid(start + t, pe, t);
  const p0 = posEmb ? start : 0;
  const H = out.data, E = tokEmb.data, P = pos.data;
  const hs0 = out.stride[0]!, hs1 = out.stride[1]!, es = tokEmb.stride[1]!, ps = pos.stride[1]!;
  for (let t = 0; t < T; t++) {
    const e = tokEmb.offset + tokens[t]! * tokEmb.stride[0]!, p = pos.offset + (p0 + t) * pos.stride[0]!, hr = out.offset + t * hs0;
    for (let j = 0; j < d; j++) H[hr + j * hs1] = E[e + j * es]! + P[p + j * ps]!; // float32 sum, as add(embedding, pos)
  }
}
