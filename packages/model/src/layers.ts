// The ops model.ts is written in: each names its output first and takes its parameters as one object,
// `linear(qkv, x, blk.qkv)`, and runs the matching prepared op of @tinylm/tensor (which picks the wasm
// kernels or the TypeScript reference). An op is prepared on its first call with a given pair of buffers
// and kept on its parameters (the last two pairs: a decode step's and a prefill's), so a decode step checks
// no shape and allocates nothing. Buffers are compared by identity: pass the same tensors to reuse a run.
import {
  int8Attention, pagedAttention, prepareAttention, prepareLayerNorm, prepareLinear,
  type AttentionSpan, type LinearFusion, type PreparedAttention, type PreparedOp, type Tensor,
} from "@tinylm/tensor";
import type { KVView } from "./kv-cache/types.js";
import { viewRows } from "./kv-cache/view.js";
import { writeSinusoid } from "./positional.js";

/** An op prepared for one pair of buffers (out, x) and, for linear, one epilogue. */
interface Run<Op> {
  readonly out: Tensor | null;
  readonly x: Tensor | null;
  readonly fuse: LinearFusion | undefined;
  readonly op: Op;
}

const NO_RUN: Run<never> = { out: null, x: null, fuse: undefined, op: undefined as never };

/**
 * A layer's prepared runs: `run`, the most recent, checked inline by each op (no call, no allocation: the
 * decode path), and `previous`, swapped in when the buffers alternate (a prefill's, then a decode step's).
 */
class Runs<Op> {
  run: Run<Op> = NO_RUN;
  private previous: Run<Op> = NO_RUN;

  /** Makes the previous run current when it is for these buffers; returns its op, else null (then `add`). */
  swap(out: Tensor, x: Tensor, fuse: LinearFusion | undefined): Op | null {
    const p = this.previous;
    if (p.out !== out || p.x !== x || p.fuse !== fuse) return null;
    this.previous = this.run;
    this.run = p;
    return p.op;
  }

  /** Makes a newly prepared op current. */
  add(out: Tensor, x: Tensor, fuse: LinearFusion | undefined, op: Op): Op {
    this.previous = this.run;
    this.run = { out, x, fuse, op };
    return op;
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

/** linear's epilogues, as constants: an object literal per call would be an allocation per decode step. */
export const ACCUMULATE: LinearFusion = Object.freeze({ accumulate: true }); // out += x·Wᵀ + b: a residual connection
export const RELU: LinearFusion = Object.freeze({ relu: true }); // out = max(x·Wᵀ + b, 0)

/**
 * out [R, m] = x [R, n] · weightᵀ + bias; with RELU max(·, 0) of it, with ACCUMULATE out += it (a
 * residual connection), in the same pass.
 */
export function linear(out: Tensor, x: Tensor, p: LinearParams, fuse?: LinearFusion): void {
  const r = p.runs.run;
  (r.out === out && r.x === x && r.fuse === fuse ? r.op : linearRun(out, x, p, fuse))();
}

/** out [R, d] = (x - mean) / sqrt(var + eps) · weight + bias, per row. */
export function layerNorm(out: Tensor, x: Tensor, p: NormParams): void {
  const r = p.runs.run;
  (r.out === out && r.x === x ? r.op : layerNormRun(out, x, p))();
}

/** The options of a call over a strategy's own layout, rewritten by each call (see attend). */
const layoutCall: { queryStart: number; span: AttentionSpan; nHeads: number; out: Tensor | undefined } = { queryStart: 0, span: { window: Infinity, sinks: 0 }, nHeads: 1, out: undefined };

/**
 * out [R, d] = softmax(mask(q·kᵀ/√dh))·v per head, q [R, d] at positions queryStart.., over the keys and
 * values of `kv` (rows [S, d] at kv.positions, or a strategy's blocks or int8 rows, read where they are);
 * `observe` receives each head's probabilities [R, S].
 */
export function attend(
  out: Tensor, q: Tensor, kv: KVView, queryStart: number, span: AttentionSpan, p: AttentionParams,
  observe?: (head: number, probs: Tensor) => void,
): void {
  if ("layout" in kv) { // a strategy's own layout, read where it is
    const options = layoutCall; // one object for every call: a decode step allocates nothing
    options.queryStart = queryStart;
    options.span = span;
    options.nHeads = p.heads;
    options.out = out;
    if (observe) {
      const rows = viewRows(kv); // the probabilities are observed: attention over the rows, which makes them
      return attentionRun(out, q, p)(rows.keys, rows.values, rows.positions, queryStart, span, observe);
    }
    if (kv.layout === "blocks") pagedAttention(q, kv.table, kv.length, options);
    else int8Attention(q, kv.keys, kv.values, kv.length, options);
    return;
  }
  const r = p.runs.run;
  (r.out === out && r.x === q ? r.op : attentionRun(out, q, p))(kv.keys, kv.values, kv.positions, queryStart, span, observe);
}

// ---- preparing (off the decode path: a new pair of buffers) ----

function linearRun(out: Tensor, x: Tensor, p: LinearParams, fuse: LinearFusion | undefined): PreparedOp {
  return p.runs.swap(out, x, fuse) ?? p.runs.add(out, x, fuse, prepareLinear(x, p.weight, p.bias, out, fuse));
}

function layerNormRun(out: Tensor, x: Tensor, p: NormParams): PreparedOp {
  return p.runs.swap(out, x, undefined) ?? p.runs.add(out, x, undefined, prepareLayerNorm(x, p.weight, p.bias, p.eps, out));
}

function attentionRun(out: Tensor, q: Tensor, p: AttentionParams): PreparedAttention {
  return p.runs.swap(out, q, undefined) ?? p.runs.add(out, q, undefined, prepareAttention(q, out, p.heads));
}

/**
 * out [T, d] = tokEmb[tokens] + position rows start..start+T-1: rows of posEmb [C, d] when positions are
 * learned, else sinusoids written into pe [T, d]. `at` (called on `self`) maps a token's position to the one
 * it is embedded at (a window cache's place in the cache; the position itself without it). The ids were
 * checked by forward (ids in [0, V)).
 */
export function embed(
  out: Tensor, tokens: ArrayLike<number>, start: number, tokEmb: Tensor, posEmb: Tensor | undefined, pe: Tensor,
  at?: (p: number) => number, self?: object,
): void {
  const T = tokens.length, d = out.shape[1]!;
  const pos = posEmb ?? pe;
  if (!posEmb) for (let t = 0; t < T; t++) writeSinusoid(at ? at.call(self, start + t) : start + t, pe, t);
  const H = out.data, E = tokEmb.data, P = pos.data;
  const hs0 = out.stride[0]!, hs1 = out.stride[1]!, es = tokEmb.stride[1]!, ps = pos.stride[1]!;
  for (let t = 0; t < T; t++) {
    const row = !posEmb ? t : at ? at.call(self, start + t) : start + t; // the row of posEmb (learned), else of pe
    const e = tokEmb.offset + tokens[t]! * tokEmb.stride[0]!, p = pos.offset + row * pos.stride[0]!, hr = out.offset + t * hs0;
    for (let j = 0; j < d; j++) H[hr + j * hs1] = E[e + j * es]! + P[p + j * ps]!; // float32 sum, as add(embedding, pos)
  }
}
