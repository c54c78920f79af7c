// A KV cache that remembers the token id at each position it holds, so a new sequence can reuse the longest
// prefix it shares with what is cached (chat turns that resend the transcript, a speculative draft after a
// rollback). It wraps any strategy and adds no copy: append goes straight through; advance records the
// pass's ids; truncate rolls both back. generate(model, prompt, { cache: new PrefixCache(inner) }) feeds
// only the tokens past the shared prefix.
import type { AttentionSpan, BlockTable, Tensor } from "@tinylm/tensor";
import { RollbackError } from "../errors.js";
import type { CacheBytes, KVCache, KVRows, KVView } from "./types.js";

export class PrefixCache implements KVCache {
  private readonly held: number[] = []; // the id at each position 0..length-1

  /** The inner cache's embedPosition (a window with positions "cache"), when it has one. */
  readonly embedPosition?: (p: number) => number;
  /** The inner cache's decodeRows (`full`), when it has one: a decode step writes the inner rows in place, advance still records its id. */
  readonly decodeRows?: (layer: number) => KVRows;
  /** The inner cache's decodeBlocks (`paged`), when it has one, likewise. */
  readonly decodeBlocks?: (p: number) => readonly BlockTable[] | null;
  /** The inner cache's decodeInt8 (`int8`), when it has one, likewise. */
  readonly decodeInt8?: KVCache["decodeInt8"];

  constructor(readonly inner: KVCache) {
    if (inner.embedPosition) this.embedPosition = inner.embedPosition.bind(inner);
    if (inner.decodeRows) this.decodeRows = inner.decodeRows.bind(inner);
    if (inner.decodeBlocks) this.decodeBlocks = inner.decodeBlocks.bind(inner);
    if (inner.decodeInt8) this.decodeInt8 = inner.decodeInt8.bind(inner);
  }

  get kind(): string {
    return this.inner.kind;
  }
  get length(): number {
    return this.inner.length;
  }
  get capacity(): number {
    return this.inner.capacity;
  }
  get positionLimit(): number {
    return this.inner.positionLimit;
  }
  get span(): AttentionSpan {
    return this.inner.span;
  }
  get keepsRows(): boolean {
    return this.inner.keepsRows;
  }

  /** The ids at positions 0..length-1 (a copy). */
  get tokens(): number[] {
    return this.held.slice(0, this.inner.length);
  }

  /** How many leading ids of `ids` the cache already holds (0 ..  min(ids.length, length)). */
  matchPrefix(ids: ArrayLike<number>): number {
    const n = Math.min(ids.length, this.inner.length, this.held.length);
    let i = 0;
    while (i < n && this.held[i] === ids[i]) i++;
    return i;
  }

  append(layer: number, k: Tensor, v: Tensor): KVView {
    return this.inner.append(layer, k, v);
  }

  advance(T: number, tokens?: ArrayLike<number>): void {
    const start = this.inner.length;
    this.inner.advance(T, tokens);
    if (!this.inner.keepsRows) return; // holds nothing: nothing to match
    if (tokens === undefined || tokens.length !== T) {
      throw new RollbackError(`PrefixCache: advance(${T}) needs the pass's ${T} token ids to remember them; got ${tokens === undefined ? "none" : tokens.length}`, start, start);
    }
    this.held.length = start;
    for (let i = 0; i < T; i++) this.held.push(tokens[i]!);
  }

  truncate(length: number): void {
    this.inner.truncate(length);
    this.held.length = Math.min(this.held.length, length);
  }

  bytes(): CacheBytes {
    return this.inner.bytes();
  }

  reset(): void {
    this.inner.reset();
    this.held.length = 0;
  }
}
