// Scratch rows for keys and values that attention reads as one [R, d] matrix when a strategy's own storage
// is not one (paged blocks, int8 rows, a ring buffer mid-prefill). One scratch serves every layer in turn,
// which is why a KVView is only valid until the next append.
//
// A scratch that lives as long as its cache (int8's; paged's, which grows by doubling) goes in kernel memory
// (kernelZeros: the wasm kernels read it in place); growing gives the old rows' block back at once. One
// dropped after a single forward pass (a prefill's) is a plain Float32Array: kernel memory is a fixed heap,
// and a dead buffer holds its share of it until the garbage collector runs.
import { releaseKernelMemory, zeros, type Tensor } from "@tinylm/tensor";

export class Scratch {
  keys: Tensor; // [R, d]
  values: Tensor; // [R, d]
  positions: Int32Array; // [R]: absolute position of each row (filled by the strategy)

  constructor(
    private readonly width: number, // d
    rows = 0,
    private readonly alloc: (shape: number[]) => Tensor = zeros,
  ) {
    this.keys = alloc([rows, width]);
    this.values = alloc([rows, width]);
    this.positions = new Int32Array(rows);
  }

  get rows(): number {
    return this.positions.length;
  }

  /** Bytes of key and value storage (the strategies count float storage only, not index arrays). */
  get bytes(): number {
    return 2 * this.rows * this.width * 4;
  }

  /** Makes room for `rows` rows (a new, larger allocation when needed; the old contents are dropped). */
  ensure(rows: number): void {
    if (rows <= this.rows) return;
    releaseKernelMemory(this.keys); // views of the old rows are dead (a KVView lasts until the next append)
    releaseKernelMemory(this.values);
    this.keys = this.alloc([rows, this.width]);
    this.values = this.alloc([rows, this.width]);
    this.positions = new Int32Array(rows);
  }

  /** The first `rows` rows as a view for attention. */
  view(rows: number): { keys: Tensor; values: Tensor; positions: Int32Array } {
    const d = this.width;
    return { keys: this.keys.hi(rows, d), values: this.values.hi(rows, d), positions: this.positions };
  }
}
