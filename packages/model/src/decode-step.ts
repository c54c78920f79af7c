// A decode step (one token) of TinyLM.forward run as kernel programs: each block's ops, exactly as
// forward's op-by-op path calls them (same kernels, same buffers, same order), recorded once and run as one
// wasm call per block between the cache appends, instead of ~10 calls whose JavaScript glue costs about as
// much as their work at short contexts. So the logits have the op-by-op step's bits.
//   head:     x = ln1(h); qkv = x·Wqkvᵀ + b                     (block 0)
//   tail[l]:  y = attn(q, cache); h += o(y); x = ln2(h); hidden = relu(fc1(x)); h += fc2(hidden);
//             then block l + 1's ln1 and qkv, or, after the last block, x = ln_f(h); logits = lm_head(x)
// The cache append between them is the strategy's own (cache.append); the tail's attention reads what it
// returns where it is (rows, a block table or int8 rows, each with its attention kernel), or, when that is
// not in kernel memory, runs through the attention op before the rest of the tail.
// The token is embedded first (forward's embed, in JavaScript). A strategy that keeps position p at row p
// of fixed buffers (cache.decodeRows: `full`), in a block table (cache.decodeBlocks: `paged`) or as int8
// row p (cache.decodeInt8: `int8`) gets the whole step as one program instead: with learned positions the
// embedding (tok_emb row + pos_emb row p, the same float32 adds; in JavaScript as before with an
// embedPosition), the head, then per block k and v written into the cache's row (or block row) p (copied,
// or quantized as int8's append quantizes them) and the tail with attention over positions 0..p, recorded
// once per cache and span and run at position p for the token (one wasm call, no JavaScript between the
// blocks). The writes and every kernel call are the same, so are the bits.
import { decodeBaseline, getBackend, KernelProgram, type AttentionSpan, type BlockTable, type Int8Keys, type Int8Values, type LinearFusion, type Tensor } from "@tinylm/tensor";
import type { Activations } from "./activations.js";
import type { KVCache, KVRows } from "./kv-cache/types.js";
import { ACCUMULATE, attend, embed, RELU, type LinearParams, type NormParams } from "./layers.js";
import type { ModelParams } from "./place-weights.js";

export class DecodeStep {
  private whole: WholeStep | undefined; // the step over the cache last seen with decodeRows, decodeBlocks or decodeInt8

  private constructor(
    private readonly head: KernelProgram,
    private readonly tails: readonly KernelProgram[],
    private readonly params: ModelParams,
    private readonly a: Activations,
  ) {}

  /** The programs for one-token activations `a`, or null when the kernels cannot run them in place. */
  static create(params: ModelParams, a: Activations): DecodeStep | null {
    const { blocks } = params;
    const head = KernelProgram.create(2);
    if (!head || blocks.length === 0) return null;
    let ok = norm(head, a.x, a.h, blocks[0]!.ln1) && lin(head, a.qkv, a.x, blocks[0]!.qkv);
    const tails: KernelProgram[] = [];
    for (let l = 0; l < blocks.length && ok; l++) {
      const p = KernelProgram.create(8);
      ok = p !== null && p.attention(a.q, a.y, blocks[l]!.attn.heads) === 0 && afterAttention(p, params, a, l);
      if (p) tails.push(p);
    }
    if (ok) return new DecodeStep(head, tails, params, a);
    head.dispose();
    for (const p of tails) p.dispose();
    return null;
  }

  /** Gives the programs' kernel memory back (model.dispose()). */
  dispose(): void {
    this.head.dispose();
    for (const p of this.tails) p.dispose();
    this.whole?.program?.dispose();
  }

  /**
   * The embedding, every block and the head for the one token in `tokens` at position `start` (embedded at
   * at(start), called on self, when given: forward's embed arguments); a.logits gets its logits.
   */
  run(a: Activations, tokens: ArrayLike<number>, cache: KVCache, start: number, span: AttentionSpan, at?: (p: number) => number, self?: object): void {
    if ((cache.decodeRows || cache.decodeBlocks || cache.decodeInt8) && this.runWhole(a, tokens, cache, start, span, at, self)) return;
    embed(a.h, tokens, start, this.params.tokEmb, this.params.posEmb, a.pe, at, self); // h = tok_emb[tokens] + pos  [1, d]
    this.head.run();
    for (let l = 0; l < this.tails.length; l++) {
      const tail = this.tails[l]!;
      const kv = cache.append(l, a.k, a.v);
      const placed = !("layout" in kv) ? tail.setAttention(0, kv.keys, kv.values, kv.positions, start, span)
        : kv.layout === "blocks" ? tail.setPagedAttention(0, kv.table, kv.length, start, span)
        : tail.setInt8Attention(0, kv.keys, kv.values, kv.length, start, span);
      if (placed) tail.run();
      else {
        attend(a.y, a.q, kv, start, span, this.params.blocks[l]!.attn);
        tail.run(1);
      }
    }
  }

  /**
   * The step as one program over cache's rows (decodeRows), blocks (decodeBlocks, readied here for
   * position start) or int8 rows (decodeInt8), recorded when the cache or the span is not the one it was
   * recorded for. False, running nothing, when it cannot be recorded or start is past the rows (then append
   * runs, and says so when the cache is full).
   */
  private runWhole(a: Activations, tokens: ArrayLike<number>, cache: KVCache, start: number, span: AttentionSpan, at?: (p: number) => number, self?: object): boolean {
    const blocks = cache.decodeBlocks ? cache.decodeBlocks(start) : undefined;
    if (blocks === null) return false;
    let w = this.whole;
    if (w === undefined || w.cache.deref() !== cache || w.window !== span.window || w.sinks !== span.sinks) w = this.bind(cache, span, blocks);
    const p = w.program;
    if (p === null || start >= w.rows) return false;
    if (w.embeds && at === undefined) return p.run(0, p.length, start, tokens[0]);
    embed(a.h, tokens, start, this.params.tokEmb, this.params.posEmb, a.pe, at, self); // sinusoids or embedPosition: in JavaScript
    return p.run(w.embeds ? 1 : 0, p.length, start);
  }

  /** Records the whole step over cache's rows, or its block tables, under span, in place of the one recorded before. */
  private bind(cache: KVCache, span: AttentionSpan, blocks?: readonly BlockTable[]): WholeStep {
    this.whole?.program?.dispose();
    const { posEmb, blocks: layers } = this.params;
    const cacheRows = blocks || !cache.decodeRows ? cache.capacity : Math.min(...layers.map((_, l) => cache.decodeRows!(l).keys.shape[0]!));
    const rows = Math.min(posEmb?.shape[0] ?? Infinity, cacheRows);
    return (this.whole = { cache: new WeakRef(cache), window: span.window, sinks: span.sinks, rows, embeds: posEmb !== undefined, program: wholeStep(this.params, this.a, cache, span, blocks) });
  }
}

/** The whole step recorded over one cache's rows and one span (program null: they cannot be read in place). */
interface WholeStep {
  readonly cache: WeakRef<KVCache>;
  readonly window: number;
  readonly sinks: number;
  readonly rows: number; // the fewest rows a layer's buffers (or pos_emb) have: the step runs here at positions below
  readonly embeds: boolean; // the program's record 0 is the embedding (learned positions)
  readonly program: KernelProgram | null;
}

/**
 * h = tok_emb[token] + pos_emb[p] (with learned positions), the head, then per block: k, v into the cache's
 * row p (or the row of p in the layer's block table, or quantized into int8 row p), attention over
 * positions 0..p, the rest of the block (run at p for the token).
 */
function wholeStep(params: ModelParams, a: Activations, cache: KVCache, span: AttentionSpan, blocks?: readonly BlockTable[]): KernelProgram | null {
  const { blocks: layers, tokEmb, posEmb } = params;
  const p = KernelProgram.create(3 + 10 * layers.length);
  if (!p) return null;
  let ok = (!posEmb || p.embedRow(tokEmb, posEmb, a.h)) && norm(p, a.x, a.h, layers[0]!.ln1) && lin(p, a.qkv, a.x, layers[0]!.qkv);
  for (let l = 0; l < layers.length && ok; l++) {
    const heads = layers[l]!.attn.heads;
    ok = (blocks ? intoBlocks(p, a, heads, blocks[l]!, span)
      : cache.decodeRows ? intoRows(p, a, heads, cache.decodeRows(l), span)
      : intoInt8(p, a, heads, cache.decodeInt8!(l), cache.capacity, span)) && afterAttention(p, params, a, l);
  }
  if (ok) return p;
  p.dispose();
  return null;
}

/** Records k, v into row p of the layer's buffers and attention over rows 0..p. */
function intoRows(p: KernelProgram, a: Activations, heads: number, rows: KVRows, span: AttentionSpan): boolean {
  const { keys, values, positions } = rows;
  return positions instanceof Int32Array && p.copyToRow(a.k, keys) && p.copyToRow(a.v, values) &&
    p.attentionAt(a.q, a.y, heads, keys, values, positions, span);
}

/** Records k, v into position p's row of the layer's block table and attention over its positions 0..p. */
function intoBlocks(p: KernelProgram, a: Activations, heads: number, table: BlockTable, span: AttentionSpan): boolean {
  return p.copyToBlock(a.k, table, "keys") && p.copyToBlock(a.v, table, "values") && p.pagedAttentionAt(a.q, a.y, heads, table, span);
}

/** Records k, v quantized into position p of the layer's R int8 rows (as append quantizes them) and attention over positions 0..p. */
function intoInt8(p: KernelProgram, a: Activations, heads: number, int8: { keys: Int8Keys; values: Int8Values }, R: number, span: AttentionSpan): boolean {
  const { keys, values } = int8;
  return Number.isInteger(R) && p.quantizeToRow(a.k, keys) && p.quantizeToRow(a.v, values) && p.int8AttentionAt(a.q, a.y, heads, keys, values, R, span);
}

/** Block l after attention: h += o(y); x = ln2(h); hidden = relu(fc1(x)); h += fc2(hidden); then block l + 1's ln1 and qkv, or ln_f and lm_head. */
function afterAttention(p: KernelProgram, params: ModelParams, a: Activations, l: number): boolean {
  const { blocks, lnF, lmHead } = params;
  const blk = blocks[l]!, next = blocks[l + 1];
  return lin(p, a.h, a.y, blk.o, ACCUMULATE) && norm(p, a.x, a.h, blk.ln2) && lin(p, a.hidden, a.x, blk.fc1, RELU) &&
    lin(p, a.h, a.hidden, blk.fc2, ACCUMULATE) &&
    (next ? norm(p, a.x, a.h, next.ln1) && lin(p, a.qkv, a.x, next.qkv) : norm(p, a.x, a.h, lnF) && lin(p, a.logits, a.x, lmHead));
}

/** True when decode steps run as programs now: the wasm kernels are active and not the earlier path (setDecodeBaseline). */
export function fusedDecodeOn(): boolean {
  return !decodeBaseline() && getBackend() === "wasm";
}

/** Records out = layerNorm(x) with p's parameters, as layers.ts's layerNorm(out, x, p). */
const norm = (prog: KernelProgram, out: Tensor, x: Tensor, p: NormParams): boolean => prog.layerNorm(x, p.weight, p.bias, p.eps, out);

/** Records out = x·Wᵀ + b (with the epilogue), as layers.ts's linear(out, x, p, fuse). */
const lin = (prog: KernelProgram, out: Tensor, x: Tensor, p: LinearParams, fuse?: LinearFusion): boolean => prog.linear(x, p.weight, p.bias, out, fuse);
