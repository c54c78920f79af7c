// Both kernel builds (plain SIMD and fused multiply-add) on one and two threads: every thread count gives
// the same bits within a build, a row alone equals the row in a batch within a build, and both builds
// stay within 1e-5 of the JS reference. The calls are large enough to be split over the pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { backendInfo, loadedWasm, setFma, setThreads, warmThreads } from "./backend.js";
import { attention, layerNorm, linear } from "./dispatch.js";
import { kernelZeros } from "./memory.js";
import { maxAbsDiff, randomMatrix, randomVector, under } from "./placement.test-utils.js";
import { readFileSync } from "node:fs";
import { Heap } from "./heap.js";
import { KernelDispatch, splitRows } from "./threads.js";
import { compileKernels, sharedMemoryUnavailable, withSharedMemory } from "./wasm-variants.js";

const initial = backendInfo();
const builds = initial.fmaReason === undefined ? [false, true] : [false];
afterAll(() => {
  setFma(initial.fma);
  setThreads(initial.threads);
});

const bytes = (t: Tensor): Buffer => {
  const c = t.data.slice(t.offset, t.offset + t.shape[0]! * t.stride[0]!);
  return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
};
const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** f's result with each build and thread count; checks threads change no bit, returns one per build. */
function acrossThreads(f: () => Tensor): Tensor[] {
  return builds.map((fma) => {
    setFma(fma);
    setThreads(1);
    const one = f();
    setThreads(2);
    const before = loadedWasm()!.kernels.splitCalls;
    const two = f();
    expect(loadedWasm()!.kernels.splitCalls).toBeGreaterThan(before); // the call did go to the pool
    expect(bytes(two).equals(bytes(one))).toBe(true);
    return two;
  });
}

describe("kernel builds and threads", () => {
  beforeAll(async () => {
    setThreads(2);
    // the workers are up, so large calls below are split; a busy machine may take longer than warmThreads'
    // own 10 s patience to start them, so ask again (a worker that cannot start fails the hook's timeout)
    while ((await warmThreads()) < 2);
  }, 120_000);

  it("runs the fused multiply-add build in the tests (the set-up lets V8 compile relaxed SIMD)", () => {
    expect(initial.fma).toBe(true);
    expect(initial.fmaReason).toBeUndefined();
  });

  it("splits a linear by rows: same bits on 1 and 2 threads, rows alone equal rows in the batch, within 1e-5 of JS", () => {
    const rng = new Rng(21);
    const T = 301, n = 64, m = 200;
    const x = randomMatrix(rng, T, n, "kernel"), w = randomMatrix(rng, m, n, "kernel"), b = randomVector(rng, m, true);
    const residual = randomMatrix(rng, T, m, "kernel");
    const run = (): Tensor => {
      const out = kernelZeros([T, m]);
      out.data.set(residual.data);
      return linear(x, w, b, out, { relu: true, accumulate: true });
    };
    const expected = under("js", run);
    for (const [i, got] of acrossThreads(run).entries()) {
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
      setFma(builds[i]!);
      for (const r of [0, 1, 150, 151, 300]) {
        const alone = kernelZeros([1, m]);
        alone.data.set(residual.data.subarray(r * m, (r + 1) * m));
        linear(x.lo(r, 0).hi(1, n), w, b, alone, { relu: true, accumulate: true });
        expect(bytes(alone).equals(bytes(got.lo(r, 0).hi(1, m)))).toBe(true);
      }
    }
  });

  it.each([
    ["causal", { window: Infinity, sinks: 0 }],
    ["a window with sinks", { window: 100, sinks: 4 }],
  ])("splits attention by query rows (%s): same bits on 1 and 2 threads, a decode row equals its row, within 1e-5 of JS", (_, span) => {
    const rng = new Rng(8);
    const S = 420, dh = 64;
    const q = randomMatrix(rng, S, dh, "kernel"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    const run = (): Tensor => attention(q, k, v, { queryStart: 0, keyPositions: range(S), span });
    const expected = under("js", run);
    for (const [i, got] of acrossThreads(run).entries()) {
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
      setFma(builds[i]!);
      for (const t of [0, 200, 300, 419]) {
        const row = attention(q.lo(t, 0).hi(1, dh), k.hi(t + 1, dh), v.hi(t + 1, dh), { queryStart: t, keyPositions: range(t + 1), span });
        expect(bytes(row).equals(bytes(got.lo(t, 0).hi(1, dh)))).toBe(true);
      }
    }
  });

  it("splits layer norm by rows: same bits on 1 and 2 threads, within 1e-5 of JS", () => {
    const rng = new Rng(4);
    const T = 1100, d = 64;
    const x = randomMatrix(rng, T, d, "kernel"), w = randomVector(rng, d, true), b = randomVector(rng, d, true);
    const run = (): Tensor => layerNorm(x, w, b, 1e-5, kernelZeros([T, d]));
    const expected = under("js", run);
    for (const got of acrossThreads(run)) expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
  });

  it("has the workers run chunks (not only the calling thread)", () => {
    setThreads(2);
    const rng = new Rng(3);
    const x = randomMatrix(rng, 2000, 64, "kernel"), w = randomMatrix(rng, 256, 64, "kernel"), out = kernelZeros([2000, 256]);
    const before = loadedWasm()!.kernels.workerChunks;
    for (let i = 0; i < 500 && loadedWasm()!.kernels.workerChunks === before; i++) linear(x, w, undefined, out);
    expect(loadedWasm()!.kernels.workerChunks).toBeGreaterThan(before);
  });

  it("reports an error row of a part a worker ran as a row of the whole call", () => {
    setThreads(2);
    const rng = new Rng(2);
    const S = 400, dh = 64;
    const q = randomMatrix(rng, S, dh, "kernel"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    q.data[390 * dh] = NaN; // row 390 lies in the worker's part
    const before = loadedWasm()!.kernels.splitCalls;    expect(() => attention(q, k, v, { queryStart: 0, keyPositions: range(S) })).toThrow(/query row 390 has a NaN score/);
    expect(loadedWasm()!.kernels.splitCalls).toBe(before + 1);
  });
});

describe("splitRows", () => {
  it("cuts causal rows into parts of about equal work", () => {
    const cuts = splitRows(1000, 1000, 0, Infinity, 2);
    expect(cuts[0]).toBe(0);
    expect(cuts[2]).toBe(1000);
    expect(cuts[1]).toBeGreaterThan(650); // work grows with the row: the first part has more rows
    expect(cuts[1]).toBeLessThan(760);
  });

  it("cuts rows that all see the whole window evenly, and gives empty parts for tiny calls", () => {
    expect(splitRows(100, 5000, 4900, 64, 2)).toEqual([0, 50, 100]);
    expect(splitRows(1, 10, 9, Infinity, 3)).toEqual([0, 1, 1, 1]);
  });
});

describe("a pool started over reused memory", () => {
  it("clears its control block: data left in the block reads as no job, no failure and no worker yet", async () => {
    const plain = readFileSync(new URL("../../dist/tensor-kernels.wasm", import.meta.url));
    const compiled = compileKernels(plain, undefined, 256, true);
    const heap = new Heap(compiled.memory.buffer.byteLength);
    const dirty = heap.alloc(4096); // the first block: the pool's control block is allocated in it once released
    new Int32Array(compiled.memory.buffer, dirty, 1024).fill(1); // as if a job were pending, failed, and a worker up
    heap.release(dirty);
    const kernels = new KernelDispatch(compiled, heap);
    kernels.setThreads(2);
    kernels.warm(); // starts the pool: its control block is the heap's first block
    const T = 2000, n = 64, m = 256;
    const [x, w, out] = [heap.alloc(4 * T * n), heap.alloc(4 * m * n), heap.alloc(4 * T * m)];
    new Float32Array(compiled.memory.buffer, x, T * n).fill(1);
    new Float32Array(compiled.memory.buffer, w, m * n).fill(0.5);
    for (let i = 0; i < 3000 && kernels.warm() < 2; i++) await new Promise((r) => setTimeout(r, 20)); // a busy machine: up to a minute
    expect(kernels.warm()).toBe(2);
    for (let i = 0; i < 500 && kernels.workerChunks === 0; i++) kernels.linear(x, n, w, n, 0, out, m, T, n, m, 0);
    expect(kernels.workerChunks).toBeGreaterThan(0);
    expect(new Float32Array(compiled.memory.buffer, out, T * m).every((v) => v === 32)).toBe(true); // 64 · 1 · 0.5
  }, 120_000);
});

describe("without shared memory", () => {
  it("runs one thread and says why", () => {
    const plain = readFileSync(new URL("../../dist/tensor-kernels.wasm", import.meta.url));
    const compiled = compileKernels(plain, undefined, 1, false);
    expect(compiled.shared).toBe(false);
    const kernels = new KernelDispatch(compiled, new Heap(65536));
    kernels.setThreads(2);
    expect(kernels.threads).toBe(1);
    expect(kernels.threadsReason).toBe(compiled.sharedReason);
    expect(kernels.fma).toBe(false);
    expect(kernels.fmaReason).toMatch(/relaxed-SIMD build is missing/);
  });

  it("names the missing SharedArrayBuffer (e.g. a page that is not cross-origin isolated)", () => {
    const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    g.crossOriginIsolated = false;
    try {
      expect(sharedMemoryUnavailable()).toMatch(/not cross-origin isolated \(serve it with COOP: same-origin and COEP: require-corp\)/);
    } finally {
      g.SharedArrayBuffer = saved;
      delete g.crossOriginIsolated;
    }
    expect(sharedMemoryUnavailable()).toBeUndefined();
  });
});

describe("withSharedMemory", () => {
  it("marks the memory import shared and leaves the rest of the module alone", () => {
    // (module (import "env" "memory" (memory 0 2)) (func (export "f") (result i32) i32.const 7))
    const plain = Uint8Array.from([
      0, 97, 115, 109, 1, 0, 0, 0,
      1, 5, 1, 96, 0, 1, 127,
      2, 16, 1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 1, 0, 2,
      3, 2, 1, 0,
      7, 5, 1, 1, 102, 0, 0,
      10, 6, 1, 4, 0, 65, 7, 11,
    ]);
    expect(WebAssembly.validate(plain)).toBe(true);
    const shared = withSharedMemory(plain);
    expect(shared[30]).toBe(3);
    expect([...shared.slice(0, 30), ...shared.slice(31)]).toEqual([...plain.slice(0, 30), ...plain.slice(31)]);
    const memory = new WebAssembly.Memory({ initial: 0, maximum: 2, shared: true });
    const f = (new WebAssembly.Instance(new WebAssembly.Module(shared), { env: { memory } }).exports as { f: () => number }).f;
    expect(f()).toBe(7);
  });

  it("refuses a module with no memory import", () => {
    expect(() => withSharedMemory(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0]))).toThrow(/imports no memory/);
  });
});
