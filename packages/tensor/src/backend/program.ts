// Kernel programs: a fixed sequence of linear, layer-norm and attention calls recorded once in kernel
// memory and run by one wasm call (assembly/program.ts). A decode step is ~10 small kernel calls between
// two cache appends; called one by one from JavaScript their glue costs about as much as their work.
// Each record runs the same kernel a prepared op runs (matvec for one row, linear, layer_norm, attention
// per head), on the same addresses, so a program gives the bits of its ops called one by one.
// Operands must live in kernel memory with contiguous rows (record() says false otherwise) and keep their
// storage while the program is used; attention's keys, values and positions are set before each run, or,
// for a decode step over rows, blocks or int8 rows kept in place (copyToRow, attentionAt, copyToBlock,
// pagedAttentionAt, quantizeToRow, int8AttentionAt, embedRow), follow the position (and token) run() is given.
//
//   const p = KernelProgram.create(4)!
//   p.layerNorm(x, w, b, 1e-5, xn); p.linear(xn, W, bias, out) // recorded, checked once
//   p.run() // one wasm call: out = linear(layerNorm(x))
import { ShapeError } from "../errors.js";
import { assert2d, assertShape, formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { BlockTable } from "../block-table.js";
import { checkLayerNorm, checkLinear, type AttentionSpan, type LinearFusion } from "../ops/index.js";
import { checkInt8Attention, type Int8AttentionOptions, type Int8Keys, type Int8Values } from "../ops/int8-attention.js";
import { checkPagedAttention, type PagedAttentionOptions } from "../ops/paged-attention.js";
import { activeWasm, loadedWasm, type WasmState } from "./backend.js";
import { attentionFailed, attentionScratchBytes } from "./attention.js";
import { int8ScratchBytes } from "./int8-attention.js";
import { ACCUMULATE, RELU } from "./linear.js";
import { allocFloat32, allocInt32, kernelAddress, releaseKernelMemory } from "./memory.js";
import { beginCall, rowsContiguous, rowStride, take } from "./operands.js";
import {
  atPosition, int8Attention, OP_ATTENTION, OP_ATTENTION_INT8, OP_ATTENTION_PAGED, OP_COPY_ROW, OP_COPY_TO_BLOCK, OP_EMBED_ROW,
  OP_LAYER_NORM, OP_LINEAR, OP_QUANTIZE_ROW, pagedAttention, RECORD, rowsAttention, wordsOf,
} from "./program-layout.js";

/** An attention record's fixed operands: the queries and the output, in kernel memory. */
interface Queries {
  readonly q: Tensor;
  readonly out: Tensor;
  readonly qp: number;
  readonly op: number;
  readonly heads: number; // 0 when there is nothing to compute (T or d is 0)
  readonly paged: PagedAttentionOptions; // nHeads and out, for checkPagedAttention (which reads nothing else)
  readonly int8: Int8AttentionOptions; // the same, for checkInt8Attention
}

/** Byte address of t's first element when the kernels can read it in place (kernel memory, contiguous rows), else -1. */
function placed(state: WasmState, t: Tensor): number {
  const at = kernelAddress(state, t.data);
  return at >= 0 && rowsContiguous(t) ? at + 4 * t.offset : -1;
}

/** Throws the ShapeError for a key group that is not 0, or per-channel (G > 0) without a float residual [>= G, d]. */
function checkResidual(fn: string, G: number, residual: Tensor | undefined, d: number): void {
  if (Number.isInteger(G) && (G === 0 || (G > 0 && residual?.shape.length === 2 && residual.shape[0]! >= G && residual.shape[1] === d))) return;
  throw new ShapeError(fn, "per-channel keys need a float residual of a group's rows", `group ${G}, residual ${residual ? formatShape(residual.shape) : "none"}`, `group 0, or a residual [>= group, ${d}]`);
}

export class KernelProgram {
  private readonly words: Int32Array; // the records, in kernel memory
  private readonly floats: Float32Array; // the same memory, for float arguments
  private readonly at: number; // byte address of record 0
  private count = 0;
  private released = false;
  private readonly queries: (Queries | undefined)[] = []; // attention records' operands, by index
  private readonly attentions: number[] = []; // the indices of the attention records (attention, attentionAt, pagedAttentionAt, int8AttentionAt)
  private readonly owned: Float32Array[] = []; // scratch of the attentionAt, pagedAttentionAt and int8AttentionAt records
  private readonly following: number[] = []; // attention records whose keys and query follow run()'s position (attentionAt, pagedAttentionAt, int8AttentionAt)
  private readonly tables: { table: BlockTable; at: number }[] = []; // the block tables of copyToBlock and pagedAttentionAt records, and their kernel address then
  private rows = Infinity; // run()'s position must be below this: the fewest rows (or block-table rows, or int8 positions) a position-following record has
  private tokens = Infinity; // run()'s token must be below this: the fewest rows of an embedRow record's table

  private constructor(state: WasmState, readonly capacity: number) {
    this.words = allocInt32(capacity * RECORD);
    this.at = kernelAddress(state, this.words);
    this.floats = new Float32Array(this.words.buffer, this.words.byteOffset, this.words.length);
  }

  /** A program of up to `capacity` records, or null when the wasm kernels are not loaded (or memory is full). */
  static create(capacity: number): KernelProgram | null {
    const state = loadedWasm();
    if (state === null) return null;
    const p = new KernelProgram(state, capacity);
    return p.at > 0 ? p : null;
  }

  /**
   * Gives the records' kernel memory back now instead of when the program is garbage-collected; the
   * program must not be used afterwards (run() then runs nothing and returns false). A second call does nothing.
   */
  dispose(): void {
    if (releaseKernelMemory(this.words)) this.released = true;
    for (const a of this.owned) releaseKernelMemory(a);
  }

  /** Records so far. */
  get length(): number {
    return this.count;
  }

  /** The next record's words, zeroed, with its op; throws when the program is full. */
  private next(op: number): number {
    if (this.count === this.capacity) throw new ShapeError("KernelProgram", "the program is full", `${this.capacity} records`, "a program created with more records");
    const base = this.count * RECORD;
    this.words.fill(0, base, base + RECORD);
    this.words[base] = op;
    return base;
  }

  /**
   * Records out = act(x·weightᵀ + bias) (+ out), as linear(x, weight, bias, out, fuse). Shapes are checked
   * (ShapeError); returns false, recording nothing, when an operand is not in kernel memory with contiguous rows.
   */
  linear(x: Tensor, weight: Tensor, bias: Tensor | undefined, out: Tensor, fuse: LinearFusion = {}): boolean {
    checkLinear(x, weight, bias, out, fuse);
    const state = loadedWasm();
    if (state === null) return false;
    const xp = placed(state, x), wp = placed(state, weight), bp = bias ? placed(state, bias) : 0, op = placed(state, out);
    if (xp < 0 || wp < 0 || bp < 0 || op < 0) return false;
    const b = this.next(OP_LINEAR), w = this.words;
    w[b + 1] = xp; w[b + 2] = rowStride(x); w[b + 3] = wp; w[b + 4] = rowStride(weight); w[b + 5] = bp;
    w[b + 6] = op; w[b + 7] = rowStride(out); w[b + 8] = x.shape[0]!; w[b + 9] = x.shape[1]!; w[b + 10] = weight.shape[0]!;
    w[b + 11] = (fuse.relu ? RELU : 0) | (fuse.accumulate ? ACCUMULATE : 0);
    if (weight.shape[0] === 0) w[b + 8] = 0; // nothing to compute
    this.count++;
    return true;
  }

  /** Records out = layerNorm(x, weight, bias, eps), as the op; false (nothing recorded) like linear. */
  layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number, out: Tensor): boolean {
    checkLayerNorm(x, weight, bias, out);
    const state = loadedWasm();
    if (state === null) return false;
    const xp = placed(state, x), wp = placed(state, weight), bp = placed(state, bias), op = placed(state, out);
    if (xp < 0 || wp < 0 || bp < 0 || op < 0) return false;
    const b = this.next(OP_LAYER_NORM), w = this.words;
    w[b + 1] = xp; w[b + 2] = rowStride(x); w[b + 3] = wp; w[b + 4] = bp; w[b + 5] = op; w[b + 6] = rowStride(out);
    w[b + 7] = x.shape[1] === 0 ? 0 : x.shape[0]!; w[b + 8] = x.shape[1]!;
    this.floats[b + 9] = eps;
    this.count++;
    return true;
  }

  /**
   * Records multi-head attention of q [T, d] into out [T, d] (heads split the columns, scale 1/√dh), as
   * prepareAttention; its keys, values and positions are given by setAttention before each run. Returns
   * the record's index, or -1 (nothing recorded) when q or out is not in kernel memory with contiguous rows.
   */
  attention(q: Tensor, out: Tensor, nHeads: number): number {
    assert2d("attention", "q", q);
    const [T, d] = q.shape as [number, number];
    assertShape("attention", "out", out, [T, d]);
    if (!Number.isInteger(nHeads) || nHeads < 1 || d % nHeads !== 0) {
      throw new ShapeError("attention", "heads must split the columns evenly", `q ${formatShape(q.shape)} with ${nHeads} heads`, `d divisible by the number of heads`);
    }
    const state = loadedWasm();
    if (state === null) return -1;
    const qp = placed(state, q), op = placed(state, out);
    if (qp < 0 || op < 0) return -1;
    this.next(OP_ATTENTION); // the operands go in when the keys come (setAttention and friends)
    const heads = T === 0 || d === 0 ? 0 : nHeads;
    this.queries[this.count] = { q, out, qp, op, heads, paged: { queryStart: 0, nHeads, out }, int8: { queryStart: 0, nHeads, out } };
    this.attentions.push(this.count);
    return this.count++;
  }

  /**
   * Records a copy of src [1, d] into row p of dst [R, d], p being the position run() is given (a decode
   * step's keys or values written into a cache's rows). A ShapeError when the shapes do not fit; false,
   * recording nothing, when an operand is not in kernel memory with contiguous rows.
   */
  copyToRow(src: Tensor, dst: Tensor): boolean {
    assert2d("copyToRow", "src", src);
    assert2d("copyToRow", "dst", dst);
    if (src.shape[0] !== 1 || dst.shape[1] !== src.shape[1]) {
      throw new ShapeError("copyToRow", "rows do not fit", `src ${formatShape(src.shape)}, dst ${formatShape(dst.shape)}`, "src [1, d] and dst [R, d]");
    }
    const state = loadedWasm();
    if (state === null) return false;
    const sp = placed(state, src), dp = placed(state, dst);
    if (sp < 0 || dp < 0) return false;
    const b = this.next(OP_COPY_ROW), w = this.words;
    w[b + 1] = sp; w[b + 2] = dp; w[b + 3] = 4 * rowStride(dst); w[b + 4] = 4 * src.shape[1]!;
    this.rows = Math.min(this.rows, dst.shape[0]!);
    this.count++;
    return true;
  }

  /**
   * Records out [1, d] = table[token] + positions[p], token and p being what run() is given (a decode
   * step's embedding: the token's row plus its position's). A ShapeError when the shapes do not fit; false,
   * recording nothing, when an operand is not in kernel memory with contiguous rows.
   */
  embedRow(table: Tensor, positions: Tensor, out: Tensor): boolean {
    assert2d("embedRow", "table", table);
    assert2d("embedRow", "positions", positions);
    const d = table.shape[1]!;
    assertShape("embedRow", "positions", positions, [positions.shape[0]!, d]);
    assertShape("embedRow", "out", out, [1, d]);
    const state = loadedWasm();
    if (state === null) return false;
    const tp = placed(state, table), pp = placed(state, positions), op = placed(state, out);
    if (tp < 0 || pp < 0 || op < 0) return false;
    const b = this.next(OP_EMBED_ROW), w = this.words;
    w[b + 1] = tp; w[b + 2] = 4 * rowStride(table); w[b + 3] = pp; w[b + 4] = 4 * rowStride(positions); w[b + 5] = op; w[b + 6] = d;
    this.rows = Math.min(this.rows, positions.shape[0]!);
    this.tokens = Math.min(this.tokens, table.shape[0]!);
    this.count++;
    return true;
  }

  /**
   * Records attention of the query q [1, d] at position p (run()'s) over rows 0..p of keys and values
   * [R, d], row j at keyPositions[j] (an Int32Array of >= R), with the span's mask; heads split the columns
   * as in attention(). The record has its own scratch. Returns false, recording nothing, when an operand
   * is not in kernel memory with contiguous rows or the scratch cannot be had.
   */
  attentionAt(q: Tensor, out: Tensor, nHeads: number, keys: Tensor, values: Tensor, keyPositions: Int32Array, span: AttentionSpan): boolean {
    assertShape("attentionAt", "q", q, [1, q.shape[1] ?? 0]);
    const d = q.shape[1]!, R = keys.shape[0]!;
    assertShape("attentionAt", "out", out, [1, d]);
    assertShape("attentionAt", "keys", keys, [R, d]);
    assertShape("attentionAt", "values", values, [R, d]);
    if (!Number.isInteger(nHeads) || nHeads < 1 || d % nHeads !== 0 || keyPositions.length < R) {
      throw new ShapeError("attentionAt", "heads must split the columns evenly and every row needs a position", `q ${formatShape(q.shape)} with ${nHeads} heads, ${keyPositions.length} positions for ${R} rows`, "d divisible by the heads, >= R positions");
    }
    const state = loadedWasm();
    if (state === null || d === 0 || R === 0) return false;
    const qp = placed(state, q), op = placed(state, out), kp = placed(state, keys), vp = placed(state, values), pos = kernelAddress(state, keyPositions);
    if (qp < 0 || op < 0 || kp < 0 || vp < 0 || pos < 0) return false;
    const scratch = allocFloat32(attentionScratchBytes(R, 1) / 4);
    const sp = kernelAddress(state, scratch);
    if (sp < 0) return false;
    this.owned.push(scratch);
    const b = this.next(OP_ATTENTION); // S and queryStart: the run's
    rowsAttention(this.words, this.floats, b, qp, rowStride(q), kp, rowStride(keys), vp, rowStride(values), op, rowStride(out), 1, 0, d / nHeads, 0, pos, span, sp, nHeads);
    this.rows = Math.min(this.rows, R);
    this.following.push(this.count);
    this.attentions.push(this.count);
    this.count++;
    return true;
  }

  /**
   * Records a copy of src [1, d] into the row of position p (run()'s) in a block table: row p mod B of
   * block ⌊p/B⌋, of its keys or its values (a decode step's keys or values written into a paged cache).
   * The block must be listed when the program runs; the table must not grow (reserve() it) or change its
   * blocks' memory while the program is used. A ShapeError when the widths differ; false, recording
   * nothing, when src or the table's blocks are not in kernel memory.
   */
  copyToBlock(src: Tensor, table: BlockTable, part: "keys" | "values"): boolean {
    assertShape("copyToBlock", "src", src, [1, table.width]);
    const state = loadedWasm();
    if (state === null) return false;
    const sp = placed(state, src), kt = table.kernelTable();
    if (sp < 0 || kt === 0) return false;
    const b = this.next(OP_COPY_TO_BLOCK), w = this.words;
    w[b + 1] = sp; w[b + 2] = part === "keys" ? kt : kt + 4 * table.capacity; w[b + 3] = table.blockSize;
    w[b + 4] = 4 * table.width; w[b + 5] = 4 * table.width;
    this.tables.push({ table, at: kt });
    this.rows = Math.min(this.rows, table.capacity * table.blockSize);
    this.count++;
    return true;
  }

  /**
   * Records the quantization of src [1, d] into position p (run()'s) of an int8 cache, to the bit as the
   * int8 cache's append does: values, and keys with per-token scales (group 0), as int8 row p and its scale
   * at scales[p]; keys with per-channel scales (group G) into float row p % G of their residual [>= G, d],
   * the group's G rows quantized column by column when p fills it. A ShapeError when the shapes do not fit;
   * false, recording nothing, when an operand is not in kernel memory with contiguous rows.
   */
  quantizeToRow(src: Tensor, dst: Int8Keys | Int8Values): boolean {
    assertShape("quantizeToRow", "src", src, [1, src.shape[1] ?? 0]);
    const d = src.shape[1]!, keys: Partial<Int8Keys> = dst, G = keys.group ?? 0;
    checkResidual("quantizeToRow", G, keys.residual, d);
    const state = loadedWasm();
    if (state === null || d === 0) return false;
    const sp = placed(state, src), qp = kernelAddress(state, dst.data), sc = kernelAddress(state, dst.scales);
    const rp = G > 0 ? placed(state, keys.residual!) : 0;
    if (sp < 0 || qp < 0 || sc < 0 || rp < 0) return false;
    const b = this.next(OP_QUANTIZE_ROW), w = this.words;
    w[b + 1] = sp; w[b + 2] = d; w[b + 3] = qp; w[b + 4] = sc; w[b + 5] = G; w[b + 6] = rp; w[b + 7] = G > 0 ? 4 * rowStride(keys.residual!) : 0;
    const scaled = G === 0 ? dst.scales.length : Math.floor(dst.scales.length / d) * G; // positions with room for their scales
    this.rows = Math.min(this.rows, Math.floor(dst.data.length / d), scaled);
    this.count++;
    return true;
  }

  /**
   * Records attention of the query q [1, d] at position p (run()'s) over positions 0..p of a block table
   * (pagedAttention's kernel, key j at position j), with the span's mask; heads split the columns as in
   * attention(). The record has its own scratch; the table is read as copyToBlock's is. Returns false,
   * recording nothing, when an operand is not in kernel memory or the scratch cannot be had.
   */
  pagedAttentionAt(q: Tensor, out: Tensor, nHeads: number, table: BlockTable, span: AttentionSpan): boolean {
    const d = q.shape[1] ?? 0;
    assertShape("pagedAttentionAt", "q", q, [1, table.width]);
    assertShape("pagedAttentionAt", "out", out, [1, d]);
    if (!Number.isInteger(nHeads) || nHeads < 1 || d % nHeads !== 0) {
      throw new ShapeError("pagedAttentionAt", "heads must split the columns evenly", `q ${formatShape(q.shape)} with ${nHeads} heads`, "d divisible by the number of heads");
    }
    const state = loadedWasm();
    const R = table.capacity * table.blockSize;
    if (state === null || R === 0) return false;
    const qp = placed(state, q), op = placed(state, out), kt = table.kernelTable();
    if (qp < 0 || op < 0 || kt === 0) return false;
    const scratch = allocFloat32(attentionScratchBytes(R, 1) / 4);
    const sp = kernelAddress(state, scratch);
    if (sp < 0) return false;
    this.owned.push(scratch);
    const b = this.next(OP_ATTENTION_PAGED); // S and queryStart: the run's
    pagedAttention(this.words, this.floats, b, qp, rowStride(q), kt, table.capacity, d, table.blockSize, op, rowStride(out), 1, 0, d / nHeads, 0, span, sp, nHeads);
    this.tables.push({ table, at: kt });
    this.rows = Math.min(this.rows, R);
    this.following.push(this.count);
    this.attentions.push(this.count);
    this.count++;
    return true;
  }

  /**
   * Records attention of the query q [1, d] at position p (run()'s) over positions 0..p of an int8 cache of
   * R positions (key j at position j), as int8Attention over the first p + 1 keys (checked like it: a
   * ShapeError), its keys quantized up to the last full group (all p + 1 with per-token scales), the rest
   * read from the residual: what the cache holds once quantizeToRow has written position p. Heads split the
   * columns as in attention(); the record has its own scratch. Returns false, recording nothing, when an
   * operand is not in kernel memory with contiguous rows or the scratch cannot be had.
   */
  int8AttentionAt(q: Tensor, out: Tensor, nHeads: number, keys: Int8Keys, values: Int8Values, R: number, span: AttentionSpan): boolean {
    assertShape("int8AttentionAt", "q", q, [1, q.shape[1] ?? 0]);
    const d = q.shape[1]!, G = keys.group;
    checkInt8Attention(q, { ...keys, quantized: R }, values, R, { queryStart: 0, nHeads, out });
    const r = keys.residual;
    checkResidual("int8AttentionAt", G, r, d);
    const state = loadedWasm();
    if (state === null || d === 0 || R === 0) return false;
    const qp = placed(state, q), op = placed(state, out), kf = G > 0 ? placed(state, r!) : 0;
    const kq = kernelAddress(state, keys.data), ks = kernelAddress(state, keys.scales), vq = kernelAddress(state, values.data), vs = kernelAddress(state, values.scales);
    if (qp < 0 || op < 0 || kf < 0 || kq < 0 || ks < 0 || vq < 0 || vs < 0) return false;
    const dh = d / nHeads, scratch = allocFloat32(int8ScratchBytes(R, dh) / 4);
    const sp = kernelAddress(state, scratch);
    if (sp < 0) return false;
    this.owned.push(scratch);
    const b = this.next(OP_ATTENTION_INT8); // S, queryStart and the quantized count: the run's
    int8Attention(this.words, this.floats, b, qp, rowStride(q), kq, d, ks, G, 0, kf, G > 0 ? rowStride(r!) : 0, vq, vs, op, rowStride(out), 1, 0, dh, 0, span, sp, nHeads);
    this.rows = Math.min(this.rows, R);
    this.following.push(this.count);
    this.attentions.push(this.count);
    this.count++;
    return true;
  }

  /** The operands of attention record `index` (a ShapeError when it is not one). */
  private queriesOf(index: number): Queries {
    const x = this.queries[index];
    if (x === undefined) throw new ShapeError("KernelProgram", "the record is not an attention", `record ${index}`, "an index attention() returned");
    return x;
  }

  /**
   * Sets what attention record `index` reads on the next run: keys and values [S, d] (d = q's width), key
   * j at keyPositions[j], queries at queryStart.., the mask's span. Returns false when the keys, values or
   * positions (an Int32Array of >= S) are not in kernel memory with contiguous rows, or the record's scratch
   * cannot be had: then run that attention through the op and the program from index + 1.
   * Shapes are the caller's promise (the model's cache views); they are not checked here.
   */
  setAttention(index: number, keys: Tensor, values: Tensor, keyPositions: ArrayLike<number>, queryStart: number, span: AttentionSpan): boolean {
    const state = activeWasm();
    if (state === null) return false;
    const S = keys.shape[0]!;
    const kp = placed(state, keys), vp = placed(state, values);
    const pos = keyPositions instanceof Int32Array && keyPositions.length >= S ? kernelAddress(state, keyPositions) : -1;
    if (kp < 0 || vp < 0 || pos < 0 || keys.shape[1] !== values.shape[1] || values.shape[0] !== S) return false;
    const x = this.queriesOf(index);
    const [T, d] = x.q.shape as [number, number];
    const scratch = attentionScratchBytes(S, T);
    if (!beginCall(state, scratch)) return false;
    rowsAttention(this.words, this.floats, index * RECORD, x.qp, rowStride(x.q), kp, rowStride(keys), vp, rowStride(values), x.op, rowStride(x.out),
      T, S, d / (x.heads || 1), queryStart, pos, span, take(scratch), x.heads);
    return true;
  }

  /**
   * Sets attention record `index` to read the first S rows of a block table (key j at position j), as
   * pagedAttention (checked like it: a ShapeError). Returns false when the blocks are not all in kernel
   * memory or scratch cannot be had: then run that attention through the op, and the program from index + 1.
   */
  setPagedAttention(index: number, table: BlockTable, S: number, queryStart: number, span: AttentionSpan): boolean {
    const state = activeWasm();
    const x = this.queriesOf(index);
    if (state === null) return false;
    checkPagedAttention(x.q, table, S, x.paged);
    const kt = table.kernelTable();
    const scratch = attentionScratchBytes(S, 1);
    if (kt === 0 || !beginCall(state, scratch)) return false;
    const [T, d] = x.q.shape as [number, number];
    pagedAttention(this.words, this.floats, index * RECORD, x.qp, rowStride(x.q), kt, table.capacity, d, table.blockSize, x.op, rowStride(x.out),
      T, S, d / (x.heads || 1), queryStart, span, take(scratch), x.heads);
    return true;
  }

  /**
   * Sets attention record `index` to read S int8 keys and values (key j at position j), as int8Attention
   * (checked like it: a ShapeError). Returns false when they are not in kernel memory or scratch cannot be
   * had: then run that attention through the op, and the program from index + 1.
   */
  setInt8Attention(index: number, keys: Int8Keys, values: Int8Values, S: number, queryStart: number, span: AttentionSpan): boolean {
    const state = activeWasm();
    const x = this.queriesOf(index);
    if (state === null) return false;
    checkInt8Attention(x.q, keys, values, S, x.int8);
    const kq = kernelAddress(state, keys.data), ks = kernelAddress(state, keys.scales);
    const vq = kernelAddress(state, values.data), vs = kernelAddress(state, values.scales);
    if (kq < 0 || ks < 0 || vq < 0 || vs < 0) return false;
    const quantized = Math.min(keys.quantized ?? S, S);
    let kf = 0, kfRow = 0;
    if (quantized < S) {
      const r = keys.residual;
      kf = r ? placed(state, r) : -1;
      if (kf < 0) return false;
      kfRow = rowStride(r!);
    }
    const [T, d] = x.q.shape as [number, number];
    const dh = d / (x.heads || 1);
    const scratch = int8ScratchBytes(S, dh);
    if (!beginCall(state, scratch)) return false;
    int8Attention(this.words, this.floats, index * RECORD, x.qp, rowStride(x.q), kq, d, ks, keys.group, quantized, kf, kfRow, vq, vs, x.op, rowStride(x.out),
      T, S, dh, queryStart, span, take(scratch), x.heads);
    return true;
  }

  /**
   * Runs records [from, to) in one wasm call (the records' order), on the build the backend runs
   * (FMA or not), on the calling thread, at position p for the token `token` (copyToRow, attentionAt,
   * copyToBlock, pagedAttentionAt, quantizeToRow, int8AttentionAt and embedRow records; a ShapeError when
   * p or the token is not an integer below every such record's rows, or a block table does not list p's block).
   * Throws a NumericError where the attention op would (a query row that sees no key, a NaN score).
   * Returns false, running nothing, when the wasm backend is not active, the program was disposed or a
   * recorded block table's blocks moved (it grew, or lists a block outside kernel memory).
   */
  run(from = 0, to = this.count, p = 0, token = 0): boolean {
    if (!(p >= 0 && p < this.rows && (p | 0) === p && token >= 0 && token < this.tokens && (token | 0) === token)) {
      throw new ShapeError("KernelProgram", "the position or token is outside the rows", `position ${p}, token ${token}`, `integers in 0..${this.rows - 1} and 0..${this.tokens - 1}`);
    }
    const state = activeWasm();
    if (state === null || this.released || !this.blocksAt(p)) return false;
    for (let k = 0; k < this.following.length; k++) atPosition(this.words, this.following[k]! * RECORD, p);
    // the records in one wasm call, except an attention of one query over a long context: split over the pool
    const attentions = this.attentions;
    for (let k = 0; k < attentions.length; k++) {
      const i = attentions[k]!;
      if (i < from || i >= to || !this.splitAttention(state, i, p, from, token)) continue;
      from = i + 1;
    }
    this.runRecords(state, from, to, p, token);
    return true;
  }

  /**
   * True when every block table recorded still has its blocks where they were recorded; a ShapeError when
   * one does not list position p's block.
   */
  private blocksAt(p: number): boolean {
    for (let k = 0; k < this.tables.length; k++) {
      const { table, at } = this.tables[k]!;
      if (table.kernelTable() !== at) return false;
      if (table.length * table.blockSize <= p) {
        throw new ShapeError("KernelProgram", "the block table does not list the position's block", `position ${p}, ${table.length} blocks of ${table.blockSize}`, "a block for every position the program runs at");
      }
    }
    return true;
  }

  /** Records [from, to) in one wasm call; a NumericError where the attention op would throw one. */
  private runRecords(state: WasmState, from: number, to: number, p: number, token: number): void {
    if (from >= to) return;
    const r = state.kernels.run_program(this.at, from, to, p, token);
    if (r !== 0) {
      const b = (r & 1023) * RECORD, op = this.words[b]!;
      attentionFailed(r >> 10, this.words[b + wordsOf(op).queryStart]!);
    }
  }

  /**
   * When record `index` is an attention of one query over enough keys to split over the worker threads
   * (a decode step over a long context): runs records [from, index) and then it split, and returns true.
   * The dispatcher's split gives the kernel's bits.
   */
  private splitAttention(state: WasmState, index: number, p: number, from: number, token: number): boolean {
    const b = index * RECORD, w = this.words, op = w[b]!;
    const at = wordsOf(op);
    if (w[b + at.T] !== 1) return false;
    const S = w[b + at.S]!, window = w[b + at.window]!, dh = w[b + at.dh]!;
    if (!state.kernels.splitsOneQuery(S, window, dh, op === OP_ATTENTION_PAGED ? w[b + 6]! : 0)) return false;
    this.runRecords(state, from, index, p, token);
    const r = state.kernels.attentionRecord(this.at + 4 * b, w[b + at.heads]!, S, window, dh);
    if (r !== 0) attentionFailed(r, w[b + at.queryStart]!);
    return true;
  }
}
