// `full`: contiguous K and V buffers of context_length rows per layer, allocated once (llama2.c's
// key_cache [layer, seq_len, dim]). Appending copies the new rows; nothing is allocated per token: each
// layer's KVView is one object whose keys/values views are re-cut to the filled rows on every append (a view
// is only valid until the next append, see KVView), and the positions live in kernel memory with the rows.
import { allocInt32, CAUSAL, copyRows, kernelUninitialized, releaseKernelMemory, type Tensor } from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "../config.js";
import { checkCapacity } from "./capacity.js";
import { checkTruncate } from "./rollback.js";
import type { CacheBytes, KVCache, KVRows } from "./types.js";

export class FullCache implements KVCache {
  readonly kind = "full";
  readonly span = CAUSAL;
  readonly keepsRows = true;
  readonly capacity: number;
  private readonly keys: Tensor[]; // per layer [C, d]
  private readonly values: Tensor[]; // per layer [C, d]
  private readonly positions: Int32Array; // [C]: row i holds position i
  private readonly views: { readonly keys: Tensor; readonly values: Tensor; readonly positions: Int32Array }[]; // per layer, [filled, d] views
  private readonly rowsOf: KVRows[]; // per layer, the whole [C, d] buffers (decodeRows)
  private filled = 0;
  private released = false;

  constructor(readonly config: ModelConfig) {
    validateConfig(config);
    const { contextLength: C, dModel: d, nLayers } = config;
    this.capacity = C;
    // In the wasm kernels' memory when loaded (attention reads them in place), and not cleared: row i is
    // written by its append before any view reaches it, so creating even a 15 MB cache costs nothing.
    this.keys = Array.from({ length: nLayers }, () => kernelUninitialized([C, d]));
    this.values = Array.from({ length: nLayers }, () => kernelUninitialized([C, d]));
    this.positions = allocInt32(C); // attention reads it in place
    for (let i = 0; i < C; i++) this.positions[i] = i;
    this.views = this.keys.map((K, l) => ({ keys: K.hi(C, d), values: this.values[l]!.hi(C, d), positions: this.positions }));
    this.rowsOf = this.keys.map((K, l) => ({ keys: K, values: this.values[l]!, positions: this.positions }));
  }

  get length(): number {
    return this.filled;
  }

  get positionLimit(): number {
    return this.capacity;
  }

  append(layer: number, k: Tensor, v: Tensor): KVRows {
    const T = k.shape[0]!;
    const end = checkCapacity(this.kind, this.filled, T, this.capacity);
    const K = this.keys[layer]!, V = this.values[layer]!;
    copyRows(k, K, this.filled);
    copyRows(v, V, this.filled);
    const view = this.views[layer]!;
    view.keys.shape[0] = end; // [end, d]: re-cut in place (ndarray views read their shape on every use)
    view.values.shape[0] = end;
    return view;
  }

  /** Layer `layer`'s whole buffers, [capacity, d], with their positions (a decode step may write row `length` itself). */
  decodeRows(layer: number): KVRows {
    return this.rowsOf[layer]!;
  }

  advance(T: number): void {
    this.filled += T;
  }

  /** Exact: rows past `length` are overwritten by the next append before any view reaches them. */
  truncate(length: number): void {
    checkTruncate(this.kind, this.filled, length);
    this.filled = length;
  }

  bytes(): CacheBytes {
    const perPosition = 2 * this.config.nLayers * this.config.dModel * 4;
    return { allocated: perPosition * this.capacity, used: perPosition * this.filled };
  }

  reset(): void {
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
    for (const t of [...this.keys, ...this.values, this.positions]) releaseKernelMemory(t);
  }
}
