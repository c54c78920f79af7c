// A pool of fixed-size KV blocks, vLLM's allocator: a block holds the keys and the values of `blockSize`
// consecutive positions of one layer. A block is created only when the free list is empty, and released
// blocks go back on the free list (last released, first reused), so memory grows one block at a time and a
// reset cache refills from the same blocks without allocating. A block may be shared by several caches (forks
// of one prompt): it counts its holders and returns to the free list when the last one releases it.
// Blocks live in kernel memory (the wasm attention reads them in place through a block table) and are not
// cleared: a row is written before any view reaches it.
import { kernelUninitialized, releaseKernelMemory, type Tensor } from "@tinylm/tensor";

export class BlockPool {
  private readonly keys: Tensor[] = []; // per block id [B, d]
  private readonly values: Tensor[] = []; // per block id [B, d]
  private readonly free: number[] = []; // ids ready for reuse
  private users = 0; // caches drawing on the pool
  private readonly holders: number[] = []; // per block id: caches holding it (0 when free)

  constructor(
    readonly blockSize: number, // B
    readonly width: number, // d
  ) {}

  /** Blocks created so far (in use or free). */
  get created(): number {
    return this.keys.length;
  }

  /** Blocks handed out and not yet released. */
  get inUse(): number {
    return this.keys.length - this.free.length;
  }

  /** Bytes of every block created (keys and values, float32). */
  get bytes(): number {
    return 2 * this.created * this.blockSize * this.width * 4;
  }

  /** A cache starts drawing on the pool (forks share one pool). */
  attach(): void {
    this.users++;
  }

  /** A cache is done with the pool; when the last one is, every block's kernel memory is given back. */
  detach(): void {
    if (--this.users > 0) return;
    for (const t of [...this.keys, ...this.values]) releaseKernelMemory(t);
    this.keys.length = 0;
    this.values.length = 0;
    this.free.length = 0;
    this.holders.length = 0;
  }

  /** A block id to write into: a free one if any, else a new block. */
  acquire(): number {
    const reused = this.free.pop();
    if (reused !== undefined) {
      this.holders[reused] = 1;
      return reused;
    }
    // keys then values for an even id, values then keys for an odd one: side by side in memory, blocks
    // taken in a row lie K0 V0 V1 K1 K2 V2 …, so a layer's keys (and values) come in runs of two blocks
    // and attention, reading them in order, crosses half as many gaps
    const first = kernelUninitialized([this.blockSize, this.width]), second = kernelUninitialized([this.blockSize, this.width]);
    const odd = this.keys.length % 2 === 1;
    this.keys.push(odd ? second : first);
    this.values.push(odd ? first : second);
    this.holders.push(1);
    return this.keys.length - 1;
  }

  /** One more holder of block `id` (a fork shares it); it stays out of the free list until every holder releases it. */
  retain(id: number): void {
    this.check("retain", id);
    this.holders[id]!++;
  }

  /** Caches holding block `id`: a write into a block held by more than one must copy it first. */
  holdersOf(id: number): number {
    return this.holders[id] ?? 0;
  }

  /** Drops one holder of block `id`; the last one returns it to the free list (its contents are garbage then). */
  release(id: number): void {
    this.check("release", id);
    if (--this.holders[id]! === 0) this.free.push(id);
  }

  private check(what: string, id: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id < this.created)) {
      throw new RangeError(`BlockPool.${what}: no block ${id}; expected an id in [0, ${this.created}) from acquire()`);
    }
    if (this.holders[id] === 0) throw new RangeError(`BlockPool.${what}: block ${id} is free; it was released by every holder`);
  }

  /** The key rows [B, d] of block `id`. */
  keysOf(id: number): Tensor {
    return this.keys[id]!;
  }

  /** The value rows [B, d] of block `id`. */
  valuesOf(id: number): Tensor {
    return this.values[id]!;
  }
}
