import { describe, expect, it } from "vitest";
import { zeros } from "../tensor.js";
import { backendInfo } from "./backend.js";
import { allocInt32, kernelZeros, releaseKernelMemory } from "./memory.js";

const wasm = backendInfo().memoryBytes > 0;
const used = (): number => backendInfo().memoryUsed;

describe("releaseKernelMemory", () => {
  it.skipIf(!wasm)("gives a block back at once, exactly its bytes; a second release and a view's release do nothing", () => {
    const before = used();
    const t = kernelZeros([100, 64]); // 25,600 bytes, a multiple of the 64-byte alignment
    const p = allocInt32(16);
    expect(used() - before).toBe(100 * 64 * 4 + 64);
    expect(releaseKernelMemory(t.hi(10, 64))).toBe(true); // a view releases its storage's block
    expect(used() - before).toBe(64);
    expect(releaseKernelMemory(t)).toBe(false);
    const next = kernelZeros([100, 64]); // takes the freed block
    expect(releaseKernelMemory(t)).toBe(false); // must not free the block's new owner
    expect(used() - before).toBe(100 * 64 * 4 + 64);
    expect(releaseKernelMemory(p)).toBe(true);
    expect(releaseKernelMemory(next)).toBe(true);
    expect(used()).toBe(before);
  });

  it("is a no-op (false) for a tensor outside kernel memory", () => {
    const before = used();
    expect(releaseKernelMemory(zeros([4, 4]))).toBe(false);
    expect(releaseKernelMemory(new Float32Array(8))).toBe(false);
    expect(used()).toBe(before);
  });
});
