import { describe, expect, it } from "vitest";
import { Heap } from "./heap.js";

describe("Heap", () => {
  it("hands out 64-byte aligned, non-overlapping blocks and never address 0", () => {
    const heap = new Heap(1 << 12);
    const a = heap.alloc(10), b = heap.alloc(100), c = heap.alloc(64);
    expect([a, b, c]).toEqual([64, 128, 256]);
    expect(heap.allocated).toBe(64 + 128 + 64);
  });

  it("returns 0 when no free block is large enough", () => {
    const heap = new Heap(1024);
    expect(heap.alloc(1024)).toBe(0); // 64 bytes are reserved at the bottom
    expect(heap.alloc(960)).toBe(64);
    expect(heap.alloc(1)).toBe(0);
  });

  it("merges freed neighbours so a large block fits again", () => {
    const heap = new Heap(64 + 3 * 256);
    const a = heap.alloc(256), b = heap.alloc(256), c = heap.alloc(256);
    expect(heap.alloc(64)).toBe(0);
    heap.release(a);
    heap.release(c);
    expect(heap.largestFree).toBe(256);
    heap.release(b);
    expect(heap.largestFree).toBe(768);
    expect(heap.alloc(768)).toBe(64);
    expect(heap.allocated).toBe(768);
  });

  it("ignores a release of an address it did not hand out", () => {
    const heap = new Heap(1024);
    heap.release(128);
    expect(heap.largestFree).toBe(960);
  });
});

describe("Heap.allocBlock: pristine memory", () => {
  it("marks blocks above every earlier block pristine, and reused or overlapping ones not", () => {
    const heap = new Heap(64 + 4 * 256);
    const a = heap.allocBlock(256), b = heap.allocBlock(256);
    expect([a, b]).toEqual([{ at: 64, pristine: true }, { at: 320, pristine: true }]);
    heap.release(a.at);
    expect(heap.allocBlock(128)).toEqual({ at: 64, pristine: false }); // where a was
    expect(heap.allocBlock(256)).toEqual({ at: 576, pristine: true }); // beyond b
    heap.release(b.at);
    heap.release(576);
    expect(heap.allocBlock(512)).toEqual({ at: 192, pristine: false }); // a's tail and b
    expect(heap.allocBlock(384)).toEqual({ at: 704, pristine: false }); // overlaps the block at 576
    expect(heap.allocBlock(1)).toEqual({ at: 0, pristine: false }); // full
  });
});
