// The KV-cache strategy interface. One KVCache serves one generation and holds every layer; the model
// talks to it only through these members and never asks which strategy it has. To write your own, implement
// KVCache and pass an instance: generate(model, prompt, { cache: new MyCache() }).
import type { AttentionSpan, Tensor } from "@tinylm/tensor";

/**
 * What attention must see after an append: every retained key/value row, new ones included. Rows may come
 * in any order (a ring buffer wraps around): positions[j] says where row j sits, and the mask and the
 * softmax need nothing else. A view is valid until the next append on the same cache (a strategy may
 * reuse one scratch buffer for every layer); copy what you keep.
 */
export interface KVView {
  readonly keys: Tensor; // [S, d]
  readonly values: Tensor; // [S, d]
  /** Absolute position of each row of keys/values (length >= S); drives the causal mask. */
  readonly positions: ArrayLike<number>;
  /** Absolute position of keys[0] (positions[0]). */
  readonly offset: number;
}

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
   * Stores this step's keys and values for `layer` (k, v [T, d]: T is the prompt length on prefill, 1 on
   * decode) and returns everything attention must see. The call on the last layer advances `length` by T.
   * k and v are views of the model's reused activation buffers, valid during this call only: copy the rows
   * you keep (never keep k or v themselves).
   */
  append(layer: number, k: Tensor, v: Tensor): KVView;
  /** Memory held now. */
  bytes(): CacheBytes;
  /** Forgets every position but keeps the allocations. */
  reset(): void;
}
