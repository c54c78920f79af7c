// The storage shared by `sliding-window` and `sinks`: per layer, S sink rows that keep positions 0..S-1
// for good, then a ring buffer of W rows where position p >= S lives in row S + (p - S) mod W, overwriting
// p - W. The mask (span {window: W, sinks: S}) lets a query at q see keys k <= q with q - k < W or k < S:
// exactly the rows kept after a decode step, so each decode attends over S + W rows at most, in ring order
// (the softmax does not care about order; positions[] tells the mask where each row sits).
//
// A multi-token append (a prefill) that would evict rows its own earlier queries still need goes through a
// scratch: the rows kept so far plus all T new rows, for attention; then only the survivors are written to
// the ring. The scratch is dropped by advance(), so between forward passes the cache holds exactly
// (S + W) rows per layer whatever the sequence length.
import { copyRows, kernelZeros, releaseKernelMemory, type AttentionSpan, type Tensor } from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "../config.js";
import { ContextError, RollbackError } from "../errors.js";
import { embeddablePositions } from "../positional.js";
import { validateCacheOptions, type PositionScheme } from "./options.js";
import { checkTruncate } from "./rollback.js";
import { Scratch } from "./scratch.js";
import type { CacheBytes, KVCache, KVView } from "./types.js";

/** Positions are stored in Int32Arrays. */
const MAX_POSITIONS = 0x7fffffff;

export class RingCache implements KVCache {
  readonly span: AttentionSpan;
  readonly capacity: number; // S + W rows per layer
  readonly keepsRows = true;
  readonly positionLimit: number; // context_length with learned positions, else unbounded
  private readonly keys: Tensor[]; // per layer [S + W, d]: sink rows, then the ring
  private readonly values: Tensor[]; // per layer [S + W, d]
  private readonly rowPositions: Int32Array; // [S + W]: absolute position held by each row
  private scratch: Scratch | null = null; // only during a prefill that evicts
  private filled = 0;
  private released = false;

  readonly embedPosition?: (p: number) => number; // with positions "cache": min(p, S + W - 1)

  constructor(
    readonly kind: string,
    readonly config: ModelConfig,
    readonly window: number, // W
    readonly sinks: number, // S
    readonly positions: PositionScheme = "absolute",
  ) {
    validateConfig(config);
    validateCacheOptions({ window, sinks, positions });
    const rows = sinks + window;
    this.span = { window, sinks };
    this.capacity = rows;
    const last = rows - 1;
    if (positions === "cache") this.embedPosition = (p: number): number => (p < last ? p : last);
    // embedded positions stop at the cache's size: any length, if the model has an embedding for that size
    this.positionLimit = positions === "cache" && rows <= embeddablePositions(config) ? Infinity : embeddablePositions(config);
    // in the wasm kernels' memory when loaded: attention reads the rows in place
    this.keys = Array.from({ length: config.nLayers }, () => kernelZeros([rows, config.dModel]));
    this.values = Array.from({ length: config.nLayers }, () => kernelZeros([rows, config.dModel]));
    this.rowPositions = new Int32Array(rows);
  }

  get length(): number {
    return this.filled;
  }

  /** The row that holds position p. */
  private rowOf(p: number): number {
    return p < this.sinks ? p : this.sinks + ((p - this.sinks) % this.window);
  }

  append(layer: number, k: Tensor, v: Tensor): KVView {
    const T = k.shape[0]!;
    const start = this.filled, end = start + T;
    if (end > MAX_POSITIONS) {
      throw new ContextError(`${this.kind} cache: position ${end - 1} is past ${MAX_POSITIONS - 1}, the last position it can index. Start a new sequence.`, start, MAX_POSITIONS);
    }
    const d = this.config.dModel;
    const K = this.keys[layer]!, V = this.values[layer]!;
    let view: KVView;
    if (T === 1 || end <= this.capacity) {
      // every row a query of this call needs is still there after writing the new ones in place
      for (let i = 0; i < T; i++) this.store(K, V, k, v, i, start + i);
      const rows = Math.min(end, this.capacity);
      view = { keys: K.hi(rows, d), values: V.hi(rows, d), positions: this.rowPositions };
    } else {
      const kept = Math.min(start, this.capacity); // rows filled before this call, in row order
      this.scratch ??= new Scratch(d, kept + T);
      const s = this.scratch;
      s.ensure(kept + T);
      copyRows(K.hi(kept, d), s.keys, 0);
      copyRows(V.hi(kept, d), s.values, 0);
      copyRows(k, s.keys, kept);
      copyRows(v, s.values, kept);
      s.positions.set(this.rowPositions.subarray(0, kept));
      for (let i = 0; i < T; i++) s.positions[kept + i] = start + i;
      // keep the sinks and the last W positions of this call (rowPositions moves in advance(), after every
      // layer: the layers after this one must copy their old rows with the old positions)
      for (let p = start; p < end; p++) {
        if (this.survives(p, end)) this.store(K, V, k, v, p - start, p, false);
      }
      view = s.view(kept + T);
    }
    return view;
  }

  advance(T: number): void {
    const start = this.filled, end = start + T;
    if (this.scratch !== null) {
      for (let p = start; p < end; p++) if (this.survives(p, end)) this.rowPositions[this.rowOf(p)] = p;
      this.scratch = null;
    }
    this.filled = end;
  }

  /** True when position p is still kept once the sequence reaches `end` positions (a sink or in the window). */
  private survives(p: number, end: number): boolean {
    return p < this.sinks || p >= end - this.window;
  }

  /** Writes row i of k, v as position p. */
  private store(K: Tensor, V: Tensor, k: Tensor, v: Tensor, i: number, p: number, setPosition = true): void {
    const row = this.rowOf(p), d = this.config.dModel;
    copyRows(k.lo(i, 0).hi(1, d), K, row);
    copyRows(v.lo(i, 0).hi(1, d), V, row);
    if (setPosition) this.rowPositions[row] = p;
  }

  /**
   * Exact while nothing has been evicted (length <= sinks + window: row r still holds position r). After
   * that, a shorter sequence would need rows the ring has overwritten, and this throws a RollbackError.
   */
  truncate(length: number): void {
    if (this.filled > this.capacity && Number.isInteger(length) && length >= 0 && length < this.filled) {
      const first = this.sinks, last = this.filled - this.window - 1; // evicted positions first..last
      throw new RollbackError(
        `${this.kind} cache: cannot truncate to ${length}; it evicted positions ${first}..${last} (window ${this.window}${this.sinks ? `, sinks ${this.sinks}` : ""}), which a shorter sequence needs. A window cache rolls back only while its length is at most ${this.capacity}; use "full" or "paged" to roll back further.`,
        length,
        this.filled,
      );
    }
    checkTruncate(this.kind, this.filled, length);
    this.filled = length;
  }

  bytes(): CacheBytes {
    const perRow = 2 * this.config.nLayers * this.config.dModel * 4;
    return {
      allocated: perRow * this.capacity + (this.scratch?.bytes ?? 0),
      used: perRow * Math.min(this.filled, this.capacity),
    };
  }

  reset(): void {
    this.filled = 0;
    this.scratch = null;
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.released;
  }

  /** Gives the cache's kernel memory back now; the cache cannot be used afterwards (a StateError). */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    for (const t of [...this.keys, ...this.values]) releaseKernelMemory(t);
  }
}
