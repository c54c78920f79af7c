// A block table (vLLM's PagedAttention): the keys and values of consecutive positions kept in blocks of B
// rows that may lie anywhere in memory. Block b holds positions b·B .. b·B + B - 1 (from the table's first
// position). The blocks belong to the caller (a pool hands them out and takes them back); the table lists
// them in order and, for the wasm kernel, keeps each block's address in kernel memory, so
// `pagedAttention` reads the blocks in place instead of gathering them into one matrix.
//
//   const table = new BlockTable(16, 64)
//   table.push(kernelZeros([16, 64]), kernelZeros([16, 64])) // positions 0..15
import { ShapeError } from "./errors.js";
import { loadedWasm } from "./backend/backend.js";
import { allocInt32, kernelAddress, releaseKernelMemory } from "./backend/memory.js";
import { formatShape } from "./shape.js";
import type { Tensor } from "./tensor.js";

export class BlockTable {
  private readonly keyBlocks: Tensor[] = [];
  private readonly valueBlocks: Tensor[] = [];
  // kernel addresses: keys of block b at addresses[b], values at addresses[capacity + b]; -1 when a block
  // is not in kernel memory (the wasm kernel then cannot run on this table)
  private addresses: Int32Array = new Int32Array(0);
  private outside = 0; // blocks listed that are not in kernel memory

  constructor(
    readonly blockSize: number, // B
    readonly width: number, // d
  ) {
    if (!Number.isInteger(blockSize) || blockSize < 1 || !Number.isInteger(width) || width < 1) {
      throw new ShapeError("BlockTable", "block size and width must be positive integers", `B = ${blockSize}, d = ${width}`, "B >= 1, d >= 1");
    }
  }

  /** Blocks listed. */
  get length(): number {
    return this.keyBlocks.length;
  }

  /** Block entries the table has room for before it grows. */
  get capacity(): number {
    return this.addresses.length >> 1;
  }

  /** Bytes of the table itself (two i32 addresses per entry of capacity); the blocks are the caller's. */
  get bytes(): number {
    return this.addresses.byteLength;
  }

  /** The key rows [B, d] of block b. */
  keys(b: number): Tensor {
    return this.keyBlocks[b]!;
  }

  /** The value rows [B, d] of block b. */
  values(b: number): Tensor {
    return this.valueBlocks[b]!;
  }

  /** Lists one more block: keys and values [B, d], row-major, holding the next B positions. */
  push(keys: Tensor, values: Tensor): void {
    this.check("BlockTable.push", keys, values);
    const b = this.keyBlocks.length;
    if (b === this.capacity) this.grow(Math.max(8, 2 * b));
    this.place(b, keys, values);
  }

  /** Replaces block b (a copy on write, say) with keys and values [B, d], row-major. */
  set(b: number, keys: Tensor, values: Tensor): void {
    if (!(Number.isInteger(b) && b >= 0 && b < this.keyBlocks.length)) {
      throw new ShapeError("BlockTable.set", "no such block", `block ${b}`, `a block in [0, ${this.keyBlocks.length})`);
    }
    this.check("BlockTable.set", keys, values);
    if (addressOf(this.keyBlocks[b]!) < 0 || addressOf(this.valueBlocks[b]!) < 0) this.outside--;
    this.place(b, keys, values);
  }

  /** Keeps the first n blocks (the caller returns the others to its pool). */
  truncate(n: number): void {
    for (let b = n; b < this.keyBlocks.length; b++) if (addressOf(this.keyBlocks[b]!) < 0 || addressOf(this.valueBlocks[b]!) < 0) this.outside--;
    this.keyBlocks.length = Math.min(n, this.keyBlocks.length);
    this.valueBlocks.length = this.keyBlocks.length;
  }

  /** Gives the table's own kernel memory (the addresses) back; the blocks are the caller's. */
  dispose(): void {
    this.clear();
    releaseKernelMemory(this.addresses);
    this.addresses = new Int32Array(0);
  }

  /** Room for `blocks` entries without growing (call once when the most blocks are known). */
  reserve(blocks: number): void {
    if (blocks > this.capacity) this.grow(blocks);
  }

  /** Forgets every block (the caller returns them to its pool); keeps the table's room. */
  clear(): void {
    this.keyBlocks.length = 0;
    this.valueBlocks.length = 0;
    this.outside = 0;
  }

  /**
   * For the wasm kernel: the byte address of the key addresses (the value addresses follow at
   * + 4·capacity), or 0 when a block or the table is not in kernel memory.
   */
  kernelTable(): number {
    const state = loadedWasm();
    if (!state || this.outside > 0) return 0;
    return Math.max(kernelAddress(state, this.addresses), 0);
  }

  private check(op: string, keys: Tensor, values: Tensor): void {
    const B = this.blockSize, d = this.width;
    for (const [name, t] of [["keys", keys], ["values", values]] as const) {
      if (t.shape.length !== 2 || t.shape[0] !== B || t.shape[1] !== d || t.stride[0] !== d || t.stride[1] !== 1) {
        throw new ShapeError(op, `${name} must be a row-major block`, `${name} ${formatShape(t.shape)} strides ${formatShape(t.stride)}`, `${name} [${B}, ${d}] strides [${d}, 1]`);
      }
    }
  }

  /** Block b := keys, values, with their kernel addresses. */
  private place(b: number, keys: Tensor, values: Tensor): void {
    this.keyBlocks[b] = keys;
    this.valueBlocks[b] = values;
    const k = addressOf(keys), v = addressOf(values);
    if (k < 0 || v < 0) this.outside++;
    this.addresses[b] = k;
    this.addresses[this.capacity + b] = v;
  }

  private grow(capacity: number): void {
    const old = this.addresses, n = this.keyBlocks.length, oldCap = old.length >> 1;
    this.addresses = allocInt32(2 * capacity);
    this.addresses.set(old.subarray(0, n), 0);
    this.addresses.set(old.subarray(oldCap, oldCap + n), capacity);
  }
}

/** Byte address of a block's first element in kernel memory, or -1. */
function addressOf(t: Tensor): number {
  const state = loadedWasm();
  if (!state) return -1;
  const at = kernelAddress(state, t.data);
  return at < 0 ? -1 : at + 4 * t.offset;
}
