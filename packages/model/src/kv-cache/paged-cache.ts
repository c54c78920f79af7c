// `paged` (vLLM's PagedAttention): keys and values live in fixed-size blocks of B positions taken from a
// BlockPool on demand, with a block table per layer mapping logical block i (positions i·B .. i·B+B-1) to
// its pool block. Memory grows by one block per layer every B positions instead of being reserved for
// context_length up front; reset() returns the blocks to the pool. Attention reads the blocks in place
// through the table (pagedAttention: the wasm kernel walks the blocks), nothing is gathered, and the
// result has the bits `full` gives: the same dot products, exps and sums in the same order.
//
// Memory: allocated = pool blocks (2·B·d floats each, L more every B positions) + the block tables
// (two i32 addresses per block the context can need, per layer); used = the positions held, 2·L·d floats
// each. So allocated is used rounded up to a block, plus the tables. Blocks may be shared between forks of one
// prompt (fork()): a shared block is copied when a cache first writes into it.
import { BlockTable, CAUSAL, copyRows, type Tensor } from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "../config.js";
import { checkCapacity } from "./capacity.js";
import { BlockPool } from "./block-pool.js";
import { defaultBlockSize, validateCacheOptions, type CacheOptions } from "./options.js";
import { checkTruncate } from "./rollback.js";
import type { CacheBytes, KVBlocks, KVCache } from "./types.js";

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
  private readonly tables: BlockTable[]; // per layer: logical block -> pool block
  private readonly ids: number[][]; // per layer: the pool ids of the table's blocks
  private readonly views: { layout: "blocks"; table: BlockTable; length: number }[]; // per layer
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
    this.blockSize = pool?.blockSize ?? options.blockSize ?? defaultBlockSize(config);
    this.capacity = config.contextLength;
    this.pool = pool ?? new BlockPool(this.blockSize, config.dModel);
    this.pool.attach();
    const most = Math.ceil(this.capacity / this.blockSize);
    this.tables = Array.from({ length: config.nLayers }, () => {
      const table = new BlockTable(this.blockSize, config.dModel);
      table.reserve(most); // never grows while generating
      return table;
    });
    this.ids = this.tables.map(() => []);
    this.views = this.tables.map((table) => ({ layout: "blocks", table, length: 0 }));
  }

  get length(): number {
    return this.filled;
  }

  get positionLimit(): number {
    return this.capacity;
  }

  /** The pool block ids holding `layer`'s positions, in position order (a copy). */
  blockTable(layer: number): number[] {
    return [...this.ids[layer]!];
  }

  append(layer: number, k: Tensor, v: Tensor): KVBlocks {
    const T = k.shape[0]!;
    const end = checkCapacity(this.kind, this.filled, T, this.capacity);
    const B = this.blockSize, d = this.config.dModel;
    // write the new rows block by block
    for (let p = this.filled; p < end; ) {
      const row = p % B, id = this.writable(layer, Math.floor(p / B), row);
      const n = Math.min(B - row, end - p); // rows that fit in this block
      const from = p - this.filled;
      copyRows(T === n ? k : k.lo(from, 0).hi(n, d), this.pool.keysOf(id), row);
      copyRows(T === n ? v : v.lo(from, 0).hi(n, d), this.pool.valuesOf(id), row);
      p += n;
    }
    const view = this.views[layer]!;
    view.length = end;
    return view;
  }

  /**
   * Readies position p (the cache's length) for a one-token pass that writes its keys and values itself:
   * in every layer, row p mod B of block ⌊p/B⌋ becomes this cache's to write, as append would make it.
   * Returns the layers' block tables (the same objects for the cache's whole life; they never grow), or
   * null when p is not the next position or the cache is full (append then says so).
   */
  decodeBlocks(p: number): readonly BlockTable[] | null {
    if (p !== this.filled || p >= this.capacity) return null;
    for (let l = 0; l < this.tables.length; l++) this.writable(l, Math.floor(p / this.blockSize), p % this.blockSize);
    return this.tables;
  }

  /**
   * The pool block of `layer`'s logical block `logical`, ready for writes from `row` on: taken from the
   * pool when it is the next block, copied (its first `row` rows) when it is shared with a fork.
   */
  private writable(layer: number, logical: number, row: number): number {
    const table = this.tables[layer]!, ids = this.ids[layer]!;
    if (logical === ids.length) {
      const id = this.pool.acquire();
      ids.push(id);
      table.push(this.pool.keysOf(id), this.pool.valuesOf(id));
    }
    if (this.pool.holdersOf(ids[logical]!) > 1) { // copy on write
      const own = copyBlock(this.pool, ids[logical]!, row);
      ids[logical] = own;
      table.set(logical, this.pool.keysOf(own), this.pool.valuesOf(own));
    }
    return ids[logical]!;
  }

  /**
   * A cache holding the same positions that shares every block with this one (no copy): each block gains a
   * holder, and whichever cache first writes into a shared block copies it (copy on write). n samples of one
   * prompt fork its prefill, so the prompt's blocks are held once.
   */
  fork(): PagedCache {
    const twin = new PagedCache(this.config, { blockSize: this.blockSize }, this.pool);
    this.ids.forEach((ids, layer) => {
      for (const id of ids) {
        this.pool.retain(id);
        twin.ids[layer]!.push(id);
        twin.tables[layer]!.push(this.pool.keysOf(id), this.pool.valuesOf(id));
      }
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
    this.releaseFrom(blocks);
    for (const table of this.tables) table.truncate(blocks);
    this.filled = length;
  }

  /**
   * Gives every layer's blocks from index `blocks` on back to the pool, back to front: the pool (last
   * released, first reused) then hands them out again layer by layer in position order, so a refill gets
   * each layer's blocks in their order, keeping their layout.
   */
  private releaseFrom(blocks: number): void {
    for (let l = this.ids.length - 1; l >= 0; l--) {
      const ids = this.ids[l]!;
      for (let i = ids.length - 1; i >= blocks; i--) this.pool.release(ids[i]!);
      ids.length = Math.min(ids.length, blocks);
    }
  }

  bytes(): CacheBytes {
    const perPosition = 2 * this.config.nLayers * this.config.dModel * 4;
    const tables = this.tables.reduce((sum, t) => sum + t.bytes, 0);
    return { allocated: this.pool.bytes + tables, used: perPosition * this.filled };
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.released;
  }

  /** Returns this cache's blocks to the pool; the cache cannot be used afterwards (a StateError). */
  dispose(): void {
    if (this.released) return;
    this.reset();
    this.released = true;
    for (const table of this.tables) table.dispose();
    this.pool.detach(); // the last cache on the pool gives its blocks' memory back
  }

  reset(): void {
    this.releaseFrom(0);
    for (const table of this.tables) table.clear();
    this.filled = 0;
  }
}
