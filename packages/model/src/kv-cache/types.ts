// The KV-cache strategy interface. One KVCache serves one generation and holds every layer; the model
// talks to it only through these members and never asks which strategy it has. A forward pass of T tokens
// calls append(layer, k, v) once per layer, in layer order, then advance(T) once: `length` changes only
// there. To write your own, implement KVCache and pass an instance: generate(model, prompt, { cache }).
import type { AttentionSpan, BlockTable, Int8Keys, Int8Values, Tensor } from "@tinylm/tensor";

/**
 * What attention reads after an append: every retained key/value row, this pass's included, as [S, d]
 * matrices. Rows may come in any order (a ring buffer wraps around): positions[j] says where row j sits, and
 * the mask needs nothing else. A view is valid until the next append on the same cache (a strategy may
 * reuse one scratch buffer for every layer); copy what you keep.
 */
export interface KVRows {
  readonly keys: Tensor; // [S, d]
  readonly values: Tensor; // [S, d]
  /** Absolute position of each row of keys/values (length >= S); drives the causal mask. */
  readonly positions: ArrayLike<number>;
}

/**
 * Positions 0 .. length - 1 kept in blocks of a block table (`paged`): attention walks the blocks in place
 * (pagedAttention), nothing is gathered.
 */
export interface KVBlocks {
  readonly layout: "blocks";
  readonly table: BlockTable;
  readonly length: number; // S
}

/**
 * Positions 0 .. length - 1 as int8 rows with their scales (`int8`): attention dequantizes inside the kernel
 * (int8Attention), no float copy is made.
 */
export interface KVQuantized {
  readonly layout: "int8";
  readonly keys: Int8Keys;
  readonly values: Int8Values;
  readonly length: number; // S
  readonly width: number; // d
}

/** What attention reads: rows (every strategy may return these), or a layout of the strategy's own. */
export type KVView = KVRows | KVBlocks | KVQuantized;

/** Memory held by a cache, in bytes. */
export interface CacheBytes {
  readonly allocated: number; // reserved now (buffers, blocks)
  readonly used: number; // holding retained keys and values
}

export interface KVCache {
  /** A label for the apps ("none", "full", …); the model never reads it. */
  readonly kind: string;
  /** Positions already in the cache: the absolute position of the next token fed to the model. */
  readonly length: number;
  /** Most positions retained at once (Infinity when unbounded). */
  readonly capacity: number;
  /**
   * Longest sequence this cache can serve: context_length for the strategies that keep every position and
   * for learned positions; Infinity for the window strategies with sinusoidal positions.
   */
  readonly positionLimit: number;
  /** Which keys a query may see (causal; a window and sinks for the eviction strategies). */
  readonly span: AttentionSpan;
  /**
   * The position the token at absolute position p is embedded at; p itself when absent. The window
   * strategies with positions "cache" give its place in the cache when it arrives, min(p, capacity - 1), so
   * the model never sees a position past the cache's size (StreamingLLM's positions within the cache).
   */
  embedPosition?(p: number): number;
  /**
   * True when keys and values are kept between forward passes: the caller then feeds only the tokens the
   * cache has not seen, and a pass needs only its last row's logits (the model skips the last block's other
   * rows). False for `none`, which keeps nothing: every pass is over the whole sequence.
   */
  readonly keepsRows: boolean;
  /**
   * Stores this pass's keys and values for `layer` at positions length .. length + T - 1 (k, v [T, d]: T is
   * the prompt length on prefill, 1 on decode) and returns everything attention must see. Leaves `length`
   * as it is: every layer of one pass appends at the same positions. k and v are views of the model's reused
   * activation buffers, valid during this call only: copy the rows you keep (never keep k or v themselves).
   */
  append(layer: number, k: Tensor, v: Tensor): KVView;
  /**
   * Optional, for a strategy that keeps position p at row p of fixed buffers and whose append of one token
   * does nothing but copy k and v into row `length` (`full`): the layer's buffers, keys and values [R, d]
   * with positions[j] = j, the same objects for the cache's whole life. A one-token pass at a position
   * below R may then write those rows itself (the decode step's kernel program copies them) and attend over
   * rows 0..length in place, instead of calling append; advance(1) still ends the pass.
   */
  decodeRows?(layer: number): KVRows;
  /**
   * Optional, the same for a strategy that keeps position p as int8 row p (`int8`): the layer's int8 keys
   * (with their float residual for per-channel scales) and values, `capacity` positions, the same objects
   * for the cache's whole life. A one-token pass at a position p below capacity may then quantize its k and
   * v into position p itself, exactly as append would (the decode step's kernel program does), and attend
   * over positions 0..p in place, instead of calling append; advance(1) ends the pass (and updates the
   * keys' `quantized`, which append would have).
   */
  decodeInt8?(layer: number): { readonly keys: Int8Keys; readonly values: Int8Values };
  /**
   * Optional, for a strategy that keeps position p in row p mod B of block ⌊p/B⌋ of a block table per
   * layer, and whose append of one token does nothing else (`paged`): readies position p (= length) to be
   * written in place (a new block from the pool, a copy of a shared one) and returns the layers' tables,
   * the same objects for the cache's whole life, never growing; null when p is not the next position or
   * the cache is full. A one-token pass may then write k and v into those rows itself (the decode step's
   * kernel program copies them) and attend over positions 0..p in place, instead of calling append;
   * advance(1) still ends the pass.
   */
  decodeBlocks?(p: number): readonly BlockTable[] | null;
  /**
   * Ends a forward pass of T tokens, after every layer appended: length += T. `tokens` are the pass's ids,
   * for a cache that remembers what it holds (PrefixCache); a strategy may ignore them.
   */
  advance(T: number, tokens?: ArrayLike<number>): void;
  /**
   * Rolls back to the first `length` positions (0 <= length <= this.length): afterwards the cache behaves
   * exactly as one that was only ever given those positions (the next pass's logits are bit-identical). A
   * strategy that cannot do it exactly throws a RollbackError saying why, e.g. a window that evicted rows the
   * shorter sequence would need.
   */
  truncate(length: number): void;
  /** Memory held now. */
  bytes(): CacheBytes;
  /** Forgets every position but keeps the allocations. */
  reset(): void;
  /**
   * Optional: gives the cache's kernel memory back now rather than at garbage collection; afterwards
   * `disposed` is true and the model and generate() refuse the cache (a StateError).
   */
  dispose?(): void;
  /** True after dispose(). */
  readonly disposed?: boolean;
}
