// `paged` (vLLM's PagedAttention idea): keys and values live in fixed-size blocks of B positions (16 by
// default) taken from a BlockPool on demand, with a block table per layer mapping logical block i
// (positions i·B .. i·B+B-1) to a pool block. Memory grows by one block per layer every B positions instead
// of being reserved for context_length up front; reset() returns the blocks to the pool. Exact.
//
// Attention here reads keys and values as one [S, d] matrix, so each append gathers the layer's blocks, in
// table order, into a scratch shared by all layers (one memcpy per block: S·d·2 floats per layer and token,
// next to attention's S·d·2 multiply-adds; decode costs ~2x `full`'s at 4,000 positions). A paged-attention
// kernel would read through the block table instead. Rows come out in position order, so the logits are
// bit-identical to `full`.
//
// Memory: allocated = pool blocks (2·B·d floats each, L more every B positions) + the gather scratch (one
// layer's blocks at least, doubled when it runs short, in kernel memory so the wasm attention reads it in
// place); used = the positions held, 2·L·d floats each.
import { CAUSAL, copyRows, kernelZeros, releaseKernelMemory, type Tensor } from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "../config.js";
import { checkCapacity } from "./capacity.js";
import { BlockPool } from "./block-pool.js";
import { DEFAULT_BLOCK_SIZE, validateCacheOptions, type CacheOptions } from "./options.js";
import { checkTruncate } from "./rollback.js";
import { Scratch } from "./scratch.js";
import type { CacheBytes, KVCache, KVView } from "./types.js";

/** A block of its own with the first `rows` rows of shared block `id`, which loses this holder. */
function copyBlock(pool: BlockPool, id: number, rows: number): number {
  const own = pool.acquire();
  if (rows > 0) {
    const d = pool.width;
    copyRows(pool.keysOf(id).hi(rows, d), pool.keysOf(own), 0);
    copyRows(pool.valuesOf(id).hi(rows, d), pool.valuesOf(own), 0);
  }
  pool.release(id);
  return own;
}

export class PagedCache implements KVCache {
  readonly kind = "paged";
  readonly span = CAUSAL;
  readonly keepsRows = true;
  readonly capacity: number; // context_length: paged serves what `full` serves, only allocated lazily
  readonly blockSize: number;
  readonly pool: BlockPool;
  private readonly tables: number[][]; // per layer: logical block -> pool block id
  private readonly gathered: Scratch;
  private filled = 0;
  private released = false;

  /** `pool`: blocks shared with other caches (fork() passes its own); a new pool by default. */
  constructor(
    readonly config: ModelConfig,
    options: CacheOptions = {},
    pool?: BlockPool,
  ) {
    validateConfig(config);
    validateCacheOptions(options);
    this.blockSize = pool?.blockSize ?? options.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.capacity = config.contextLength;
    this.pool = pool ?? new BlockPool(this.blockSize, config.dModel);
    this.tables = Array.from({ length: config.nLayers }, () => []);
    this.gathered = new Scratch(config.dModel, 0, kernelZeros);
  }

  get length(): number {
    return this.filled;
  }

  get positionLimit(): number {
    return this.capacity;
  }

  /** The pool block ids holding `layer`'s positions, in position order (a copy). */
  blockTable(layer: number): number[] {
    return [...this.tables[layer]!];
  }

  append(layer: number, k: Tensor, v: Tensor): KVView {
    const T = k.shape[0]!;
    const end = checkCapacity(this.kind, this.filled, T, this.capacity);
    const B = this.blockSize, d = this.config.dModel;
    const table = this.tables[layer]!;
    // write the new rows block by block, taking a block from the pool when one fills up
    for (let p = this.filled; p < end; ) {
      const logical = Math.floor(p / B), row = p % B;
      if (logical === table.length) table.push(this.pool.acquire());
      if (this.pool.holdersOf(table[logical]!) > 1) table[logical] = copyBlock(this.pool, table[logical]!, row); // copy on write
      const n = Math.min(B - row, end - p); // rows that fit in this block
      const from = p - this.filled;
      copyRows(k.lo(from, 0).hi(n, d), this.pool.keysOf(table[logical]!), row);
      copyRows(v.lo(from, 0).hi(n, d), this.pool.valuesOf(table[logical]!), row);
      p += n;
    }
    // gather whole blocks in table order; rows past `end` in the last block are outside the view
    const rows = table.length * B;
    if (rows > this.gathered.rows) {
      // double it (in whole blocks, up to the context): few reallocations, little dead kernel memory
      const most = Math.ceil(this.capacity / B) * B;
      this.gathered.ensure(Math.min(most, Math.max(rows, 2 * this.gathered.rows)));
      this.gathered.positions.forEach((_, i, a) => (a[i] = i));
    }
    const K = this.gathered.keys.data, V = this.gathered.values.data;
    for (let i = 0; i < table.length; i++) {
      K.set(this.pool.keysOf(table[i]!).data, i * B * d);
      V.set(this.pool.valuesOf(table[i]!).data, i * B * d);
    }
    return this.gathered.view(end);
  }

  /**
   * A cache holding the same positions that shares every block with this one (no copy): each block gains a
   * holder, and whichever cache first writes into a shared block copies it (copy on write). n samples of one
   * prompt fork its prefill, so the prompt's blocks are held once.
   */
  fork(): PagedCache {
    const twin = new PagedCache(this.config, { blockSize: this.blockSize }, this.pool);
    this.tables.forEach((table, layer) => {
      for (const id of table) this.pool.retain(id);
      twin.tables[layer]!.push(...table);
    });
    twin.filled = this.filled;
    return twin;
  }

  advance(T: number): void {
    this.filled += T;
  }

  /** Exact: blocks wholly past `length` go back to the pool; the rest of a partly kept block is rewritten. */
  truncate(length: number): void {
    checkTruncate(this.kind, this.filled, length);
    const blocks = Math.ceil(length / this.blockSize);
    for (const table of this.tables) {
      for (const id of table.splice(blocks)) this.pool.release(id);
    }
    this.filled = length;
  }

  bytes(): CacheBytes {
    const perPosition = 2 * this.config.nLayers * this.config.dModel * 4;
    return { allocated: this.pool.bytes + this.gathered.bytes, used: perPosition * this.filled };
  }

  reset(): void {
    for (const table of this.tables) {
      for (const id of table) this.pool.release(id);
      table.length = 0;
    }
    this.filled = 0;
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.released;
  }

  /** Gives the cache's kernel memory back now; the cache cannot be used afterwards (a StateError). */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    releaseKernelMemory(this.gathered.keys);
    releaseKernelMemory(this.gathered.values);
  }
}
