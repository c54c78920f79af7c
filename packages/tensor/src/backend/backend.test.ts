import { describe, expect, it } from "vitest";
import { BackendError } from "../errors.js";
import { backendInfo, getBackend, loadedWasm, setBackend } from "./backend.js";
import { allocFloat32, allocInt32, inKernelMemory, kernelAddress, kernelUninitialized, kernelZeros, toKernelMemory } from "./memory.js";
import { fromArray } from "../tensor.js";
import { under } from "./placement.test-utils.js";

describe("backend selection", () => {
  it("runs the wasm kernels by default when the module is built", () => {
    expect(getBackend()).toBe("wasm");
    expect(backendInfo()).toMatchObject({ name: "wasm", memoryBytes: 1024 * 1024 * 1024 });
  });

  it("switches to the JS kernels and back", () => {
    under("js", () => {
      expect(getBackend()).toBe("js");
      expect(backendInfo().reason).toMatch(/setBackend/);
    });
    expect(getBackend()).toBe("wasm");
  });

  it("rejects an unknown backend name with a typed error", () => {
    expect(() => setBackend("gpu" as "js")).toThrow(BackendError);
    expect(() => setBackend("gpu" as "js")).toThrow('backend: unknown backend "gpu"; expected "js" or "wasm"');
  });
});

const keepAlive: unknown[] = [];

describe("kernel memory", () => {
  it("allocates zeroed float32 blocks inside the wasm memory, and reuses freed ones zeroed", () => {
    const a = allocFloat32(100);
    expect(a.buffer).toBe(loadedWasm()!.buffer);
    expect(a.byteOffset % 64).toBe(0);
    a.fill(7);
    const before = backendInfo().memoryUsed;
    const b = allocFloat32(100);
    expect(backendInfo().memoryUsed).toBe(before + 448);
    expect(Array.from(b)).toEqual(new Array(100).fill(0));
  });

  it("clears a reused block (pristine blocks are left as they are: still zero)", () => {
    const heap = loadedWasm()!.heap;
    const a = allocFloat32(1000);
    a.fill(7);
    keepAlive.push(a); // its finalizer must not release the address again once `b` holds it
    heap.release(a.byteOffset); // what the finalizer does once `a` is collected
    const b = allocFloat32(1000);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(b.every((x) => x === 0)).toBe(true);
    const c = allocInt32(1000);
    c.fill(-1);
    keepAlive.push(c);
    heap.release(c.byteOffset);
    expect(allocInt32(1000).every((x) => x === 0)).toBe(true);
  });

  it("falls back to a plain Float32Array when the request does not fit", () => {
    const huge = allocFloat32(300 * 1024 * 1024); // 1.2 GB > the 1 GiB reserve
    expect(huge.buffer).not.toBe(loadedWasm()!.buffer);
    expect(huge.length).toBe(300 * 1024 * 1024);
  });

  it("copies any view into kernel memory in row-major order", () => {
    const t = fromArray([[1, 2, 3], [4, 5, 6]]);
    expect(inKernelMemory(t)).toBe(false);
    const copy = toKernelMemory(t.transpose(1, 0)); // [3, 2]
    expect(inKernelMemory(copy)).toBe(true);
    expect(copy.shape).toEqual([3, 2]);
    expect(Array.from(copy.data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(kernelZeros([2, 2]).shape).toEqual([2, 2]);
  });
});

describe("kernelAddress", () => {
  it("gives the byte address of every array kernel memory hands out, and of views made elsewhere over it", () => {
    const state = loadedWasm()!;
    for (const a of [allocFloat32(10), allocInt32(10), kernelZeros([3, 4]).data, kernelUninitialized([2, 8]).data]) {
      expect(kernelAddress(state, a)).toBe(a.byteOffset);
      expect(a.byteOffset).toBeGreaterThan(0);
    }
    const a = allocFloat32(64);
    const sub = a.subarray(16); // not handed out by alloc: found through its buffer
    expect(kernelAddress(state, sub)).toBe(a.byteOffset + 64);
    expect(kernelAddress(state, new Float32Array(state.buffer, 128, 4))).toBe(128);
  });

  it("is -1 for arrays outside kernel memory", () => {
    const state = loadedWasm()!;
    expect(kernelAddress(state, new Float32Array(8))).toBe(-1);
    expect(kernelAddress(state, new Int32Array(new SharedArrayBuffer(64), 16))).toBe(-1);
    expect(kernelAddress(state, allocFloat32(300 * 1024 * 1024))).toBe(-1); // the fallback when it does not fit
  });
});

describe("kernelUninitialized", () => {
  it("returns a tensor in kernel memory without clearing a reused block (for buffers written before read)", () => {
    const heap = loadedWasm()!.heap;
    const a = allocFloat32(256);
    a.fill(7);
    keepAlive.push(a);
    heap.release(a.byteOffset);
    const t = kernelUninitialized([16, 16]);
    expect(t.shape).toEqual([16, 16]);
    expect(inKernelMemory(t)).toBe(true);
    expect(t.data.byteOffset).toBe(a.byteOffset);
    expect(t.data[0]).toBe(7); // not cleared: that is the point
  });
});
