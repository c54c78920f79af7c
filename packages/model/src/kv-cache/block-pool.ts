// A pool of fixed-size KV blocks, vLLM's allocator: a block holds the keys and the values of `blockSize`
// consecutive positions of one layer. A block is created only when the free list is empty, and released
// blocks go back on the free list (last released, first reused), so memory grows one block at a time and a
// reset cache refills from the same blocks without allocating. Blocks live in kernel memory (the wasm
// attention reads them in place through a block table) and are not cleared: a row is written before any
// view reaches it.
import { kernelUninitialized, type Tensor } from "@tinylm/tensor";

export class BlockPool {
  private readonly keys: Tensor[] = []; // per block id [B, d]
  private readonly values: Tensor[] = []; // per block id [B, d]
  private readonly free: number[] = []; // ids ready for reuse

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

  /** A block id to write into: a free one if any, else a new block. */
  acquire(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    this.keys.push(kernelUninitialized([this.blockSize, this.width]));
    this.values.push(kernelUninitialized([this.blockSize, this.width]));
    return this.keys.length - 1;
  }

  /** Returns block `id` to the free list; its contents are garbage from now on. */
  release(id: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id < this.created)) {
      throw new RangeError(`BlockPool.release: no block ${id}; expected an id in [0, ${this.created}) from acquire()`);
    }
    this.free.push(id);
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
