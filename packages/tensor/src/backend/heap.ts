// A first-fit allocator over the kernels' linear memory, kept on the JavaScript side (the kernels never
// allocate). Blocks are 64-byte aligned (a cache line, and whole SIMD vectors); freed neighbours merge.
// Address 0 is never handed out, so 0 can mean "none" (e.g. no bias). The heap also remembers the highest
// address it ever handed out: memory above it has never been written (a fresh wasm memory is zero), so a
// block there needs no clearing, and its pages are not even touched until the kernels write them.

const ALIGN = 64;

export class Heap {
  private readonly free: { at: number; size: number }[]; // sorted by address, never adjacent
  private readonly used = new Map<number, number>(); // address -> size
  private inUse = 0;
  private highWater = ALIGN; // every byte at or above this address is still as the memory was created

  constructor(readonly bytes: number) {
    this.free = [{ at: ALIGN, size: bytes - ALIGN }];
  }

  /** Address of a new block of at least `size` bytes, or 0 when no free block is large enough. */
  alloc(size: number): number {
    return this.allocBlock(size).at;
  }

  /**
   * A new block of at least `size` bytes (`at` 0 when none is large enough), and whether it lies wholly in
   * memory no block has ever occupied (`pristine`: still zero if the memory started zeroed).
   */
  allocBlock(size: number): { at: number; pristine: boolean } {
    const need = Math.max(ALIGN, Math.ceil(size / ALIGN) * ALIGN);
    const i = this.free.findIndex((b) => b.size >= need);
    if (i < 0) return { at: 0, pristine: false };
    const block = this.free[i]!;
    const at = block.at;
    if (block.size === need) this.free.splice(i, 1);
    else {
      block.at += need;
      block.size -= need;
    }
    this.used.set(at, need);
    this.inUse += need;
    const pristine = at >= this.highWater;
    this.highWater = Math.max(this.highWater, at + need);
    return { at, pristine };
  }

  /** Returns a block to the free list (a no-op for an address it did not hand out). */
  release(at: number): void {
    const size = this.used.get(at);
    if (size === undefined) return;
    this.used.delete(at);
    this.inUse -= size;
    let i = 0;
    while (i < this.free.length && this.free[i]!.at < at) i++;
    this.free.splice(i, 0, { at, size });
    const next = this.free[i + 1];
    if (next && at + size === next.at) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.at + prev.size === at) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }

  /** Bytes in live blocks. */
  get allocated(): number {
    return this.inUse;
  }

  /** Size of the largest block that could be allocated now. */
  get largestFree(): number {
    return this.free.reduce((m, b) => Math.max(m, b.size), 0);
  }
}
