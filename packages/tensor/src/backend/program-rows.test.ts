// Kernel program records that follow the position a run is given (a decode step over a cache's rows kept
// in place): copyToRow writes row p and nothing else, attentionAt at p gives the attention op's bits over
// rows 0..p (with heads, windows and sinks, in both builds), embedRow adds the token's and the position's
// rows, and run() refuses a position or a token past the rows.
import { afterAll, describe, expect, it } from "vitest";
import { NumericError, ShapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { zeros } from "../tensor.js";
import { CAUSAL } from "../ops/softmax.js";
import { backendInfo, setFma } from "./backend.js";
import { allocInt32, kernelZeros } from "./memory.js";
import { elementBytes, randomMatrix, under } from "./placement.test-utils.js";
import { prepareAttention } from "./prepared.js";
import { KernelProgram } from "./program.js";

const bytes = elementBytes;
const initial = backendInfo();
const builds = initial.fmaReason === undefined ? [false, true] : [false];
afterAll(() => setFma(initial.fma));

describe.each(builds)("position-following records, fma %s", (fma) => {
  it.each([[40, 64, 1], [21, 16, 2], [9, 12, 4]] as const)("R=%i d=%i heads=%i: row p written, attention over rows 0..p with the op's bits", (R, d, heads) => {
    under("wasm", () => {
      setFma(fma);
      const rng = new Rng(R + d);
      const qkv = randomMatrix(rng, 1, 3 * d, "kernel"); // q | k | v, as a decode step's buffer
      const q = qkv.hi(1, d), k = qkv.lo(0, d).hi(1, d), v = qkv.lo(0, 2 * d).hi(1, d);
      const K = randomMatrix(rng, R, d, "strided"), V = randomMatrix(rng, R, d, "kernel");
      const positions = allocInt32(R);
      for (let j = 0; j < R; j++) positions[j] = j;
      for (const span of [CAUSAL, { window: 5, sinks: 2 }]) {
        const got = kernelZeros([1, d]), want = kernelZeros([1, d]);
        const p = KernelProgram.create(3)!;
        expect(p.copyToRow(k, K) && p.copyToRow(v, V) && p.attentionAt(q, got, heads, K, V, positions, span)).toBe(true);
        for (const at of [0, 1, 7, 8, R - 2, R - 1]) {
          for (let i = 0; i < 3 * d; i++) qkv.data[i] = rng.normal();
          const Kb = bytes(K), Vb = bytes(V);
          p.run(0, 3, at);
          const row = 4 * d * at;
          expect(bytes(K).subarray(row, row + 4 * d).equals(bytes(k))).toBe(true);
          expect(bytes(V).subarray(row, row + 4 * d).equals(bytes(v))).toBe(true);
          expect(Buffer.concat([bytes(K).subarray(0, row), bytes(K).subarray(row + 4 * d)]).equals(Buffer.concat([Kb.subarray(0, row), Kb.subarray(row + 4 * d)]))).toBe(true);
          expect(Buffer.concat([bytes(V).subarray(0, row), bytes(V).subarray(row + 4 * d)]).equals(Buffer.concat([Vb.subarray(0, row), Vb.subarray(row + 4 * d)]))).toBe(true);
          prepareAttention(q, want, heads)(K.hi(at + 1, d), V.hi(at + 1, d), positions, at, span);
          expect(bytes(got).equals(bytes(want))).toBe(true);
        }
        p.dispose();
      }
    });
  });
});

describe("position-following records", () => {
  it("embedRow: table[token] + positions[p], the float32 sums, for any width", () => {
    under("wasm", () => {
      for (const d of [64, 13]) {
        const rng = new Rng(d);
        const table = randomMatrix(rng, 20, d, "strided"), positions = randomMatrix(rng, 50, d, "kernel"), out = kernelZeros([1, d]);
        const p = KernelProgram.create(1)!;
        expect(p.embedRow(table, positions, out)).toBe(true);
        for (const [token, at] of [[0, 0], [19, 49], [7, 31]] as const) {
          p.run(0, 1, at, token);
          const want = Float32Array.from({ length: d }, (_, j) => table.get(token, j) + positions.get(at, j));
          expect(bytes(out).equals(Buffer.from(want.buffer))).toBe(true);
        }
        for (const [at, token] of [[50, 0], [0, 20], [0, -1], [0, 0.5]]) expect(() => p.run(0, 1, at, token)).toThrow(ShapeError);
      }
      const p = KernelProgram.create(1)!;
      expect(() => p.embedRow(kernelZeros([20, 8]), kernelZeros([50, 7]), kernelZeros([1, 8]))).toThrow(ShapeError);
      expect(() => p.embedRow(kernelZeros([20, 8]), kernelZeros([50, 8]), kernelZeros([2, 8]))).toThrow(ShapeError);
      expect(p.embedRow(zeros([20, 8]), kernelZeros([50, 8]), kernelZeros([1, 8]))).toBe(false);
      expect(p.length).toBe(0);
    });
  });

  it("are checked, refuse operands outside kernel memory, and run only at a position within every record's rows", () => {
    under("wasm", () => {
      const p = KernelProgram.create(4)!;
      const positions = allocInt32(6);
      expect(() => p.copyToRow(kernelZeros([1, 8]), kernelZeros([6, 7]))).toThrow(ShapeError);
      expect(() => p.copyToRow(kernelZeros([2, 8]), kernelZeros([6, 8]))).toThrow(ShapeError);
      expect(() => p.attentionAt(kernelZeros([1, 8]), kernelZeros([1, 8]), 3, kernelZeros([6, 8]), kernelZeros([6, 8]), positions, CAUSAL)).toThrow(ShapeError);
      expect(() => p.attentionAt(kernelZeros([1, 8]), kernelZeros([1, 8]), 1, kernelZeros([7, 8]), kernelZeros([7, 8]), positions, CAUSAL)).toThrow(ShapeError);
      expect(p.copyToRow(zeros([1, 8]), kernelZeros([6, 8]))).toBe(false);
      expect(p.attentionAt(kernelZeros([1, 8]), kernelZeros([1, 8]), 1, zeros([6, 8]), kernelZeros([6, 8]), positions, CAUSAL)).toBe(false);
      expect(p.length).toBe(0);
      expect(p.run(0, 0, 1e9)).toBe(true); // no position-following record yet: any position
      const K = kernelZeros([6, 8]);
      expect(p.copyToRow(kernelZeros([1, 8]), K) && p.attentionAt(kernelZeros([1, 8]), kernelZeros([1, 8]), 1, kernelZeros([4, 8]), K.hi(4, 8), positions, CAUSAL)).toBe(true);
      expect(p.run(0, 2, 3)).toBe(true);
      for (const at of [4, -1, 1.5, NaN]) expect(() => p.run(0, 2, at)).toThrow(ShapeError);
      positions.set([5, 6, 7, 8]); // every key after the query at 3: no key to see
      expect(() => p.run(0, 2, 3)).toThrow(NumericError);
      expect(() => p.run(0, 2, 3)).toThrow(/query row 0 \(position 3\) sees no key/);
    });
  });

  it("give their scratch back on dispose", () => {
    under("wasm", () => {
      const q = kernelZeros([1, 8]), out = kernelZeros([1, 8]), K = kernelZeros([1000, 8]), positions = allocInt32(1000);
      const before = backendInfo().memoryUsed;
      const p = KernelProgram.create(1)!;
      expect(p.attentionAt(q, out, 1, K, K, positions, CAUSAL)).toBe(true);
      expect(backendInfo().memoryUsed).toBeGreaterThanOrEqual(before + 24 * 4 + 1000 * 4);
      p.dispose();
      expect(backendInfo().memoryUsed).toBe(before);
    });
  });
});
