// A kernel program gives the bits of its ops called one by one (the same kernels on the same operands),
// in both builds; records are checked like the ops; operands outside kernel memory are refused; an
// attention record fails with the attention op's error; and without the wasm backend nothing runs.
import { afterAll, describe, expect, it } from "vitest";
import { NumericError, ShapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { zeros, type Tensor } from "../tensor.js";
import { backendInfo, setFma } from "./backend.js";
import { allocInt32, kernelZeros } from "./memory.js";
import { randomInt8Rows, randomMatrix, randomVector, under } from "./placement.test-utils.js";
import { prepareAttention, prepareLayerNorm, prepareLinear } from "./prepared.js";
import { KernelProgram } from "./program.js";
import { CAUSAL } from "../ops/softmax.js";
import { BlockTable } from "../block-table.js";
import { int8Attention, pagedAttention } from "./kv-attention.js";
import { allocFloat32 } from "./memory.js";

const bytes = (t: Tensor): Buffer => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
const initial = backendInfo();
const builds = initial.fmaReason === undefined ? [false, true] : [false];
afterAll(() => setFma(initial.fma));

/** A small block: x = ln(h); qkv = x·Wᵀ + b; y = attention(q over k, v); h += y·Woᵀ + bo; hid = relu(fc1(h)). */
function block(T: number, S: number, d: number, heads: number) {
  const rng = new Rng(11 + T + S);
  const h = randomMatrix(rng, T, d, "kernel"), lw = randomVector(rng, d, true), lb = randomVector(rng, d, true);
  const W = randomMatrix(rng, d, d, "kernel"), b = randomVector(rng, d, true), Wo = randomMatrix(rng, d, d, "kernel"), bo = randomVector(rng, d, true);
  const F = 2 * d + 4, W1 = randomMatrix(rng, F, d, "kernel"), b1 = randomVector(rng, F, true);
  const keys = randomMatrix(rng, S, d, "kernel"), values = randomMatrix(rng, S, d, "kernel");
  const positions = allocInt32(S);
  for (let j = 0; j < S; j++) positions[j] = j;
  const buffers = () => ({ h: kernelZeros([T, d]), x: kernelZeros([T, d]), q: kernelZeros([T, d]), y: kernelZeros([T, d]), hid: kernelZeros([T, F]) });
  const start = (t: { h: Tensor }) => t.h.data.set(h.data.subarray(h.offset, h.offset + T * d));
  return { lw, lb, W, b, Wo, bo, W1, b1, keys, values, positions, buffers, start, heads };
}

describe.each(builds)("kernel programs, fma %s", (fma) => {
  it.each([[1, 40, 64, 1], [1, 9, 16, 2], [3, 50, 16, 4], [2, 8, 13, 1]] as const)("T=%i S=%i d=%i heads=%i: the ops' bits, run after run", (T, S, d, heads) => {
    under("wasm", () => {
      setFma(fma);
      const k = block(T, S, d, heads);
      const ops = k.buffers(), prog = k.buffers();
      const qs = S - T;
      const run = [
        prepareLayerNorm(ops.h, k.lw, k.lb, 1e-5, ops.x), prepareLinear(ops.x, k.W, k.b, ops.q),
        () => prepareAttention(ops.q, ops.y, heads)(k.keys, k.values, k.positions, qs, CAUSAL),
        prepareLinear(ops.y, k.Wo, k.bo, ops.h, { accumulate: true }), prepareLinear(ops.h, k.W1, k.b1, ops.hid, { relu: true }),
      ];
      const p = KernelProgram.create(5)!;
      expect(p.layerNorm(prog.h, k.lw, k.lb, 1e-5, prog.x) && p.linear(prog.x, k.W, k.b, prog.q)).toBe(true);
      const a = p.attention(prog.q, prog.y, heads);
      expect(a).toBe(2);
      expect(p.linear(prog.y, k.Wo, k.bo, prog.h, { accumulate: true }) && p.linear(prog.h, k.W1, k.b1, prog.hid, { relu: true })).toBe(true);
      expect(p.length).toBe(5);
      k.start(ops);
      k.start(prog);
      for (let round = 0; round < 2; round++) { // the second round starts from the first's h (accumulated)
        for (const op of run) op();
        expect(p.setAttention(a, k.keys, k.values, k.positions, qs, CAUSAL)).toBe(true);
        expect(p.run()).toBe(true);
        for (const key of ["h", "x", "q", "y", "hid"] as const) expect(bytes(prog[key]).equals(bytes(ops[key]))).toBe(true);
      }
      // a part of the program: the records after attention, from the same inputs
      for (const op of run.slice(3)) op();
      p.run(3);
      expect(bytes(prog.hid).equals(bytes(ops.hid))).toBe(true);
    });
  });
});

describe.each(builds)("kernel program attention over a block table and int8 rows, fma %s", (fma) => {
  it.each([[1, 37, 16, 2], [1, 64, 64, 1], [2, 21, 12, 1]] as const)("T=%i S=%i d=%i heads=%i: the ops' bits", (T, S, d, heads) => {
    under("wasm", () => {
      setFma(fma);
      const rng = new Rng(5 + S);
      const q = randomMatrix(rng, T, d, "kernel"), span = { window: 16, sinks: 2 };
      const B = 8, table = new BlockTable(B, d);
      for (let b = 0; b * B < S; b++) table.push(randomMatrix(rng, B, d, "kernel"), randomMatrix(rng, B, d, "kernel"));
      const want = kernelZeros([T, d]), got = kernelZeros([T, d]);
      const p = KernelProgram.create(1)!;
      const a = p.attention(q, got, heads);
      for (const s of [CAUSAL, span]) {
        pagedAttention(q, table, S, { queryStart: S - T, span: s, nHeads: heads, out: want });
        expect(p.setPagedAttention(a, table, S, S - T, s)).toBe(true);
        p.run();
        expect(bytes(got).equals(bytes(want))).toBe(true);
      }
      // int8 rows, per-token and per-channel key scales (with float rows after the last whole group)
      const { kd, vd, ks, vs } = randomInt8Rows(rng, S, d);
      const G = 8, quantized = Math.floor(S / G) * G, cs = allocFloat32(Math.ceil(S / G) * d);
      for (let i = 0; i < cs.length; i++) cs[i] = rng.uniform() / 100;
      const values = { data: vd, scales: vs };
      for (const keys of [{ data: kd, scales: ks, group: 0 }, { data: kd, scales: cs, group: G, quantized, residual: randomMatrix(rng, Math.max(S - quantized, 1), d, "kernel") }]) {
        for (const s of [CAUSAL, span]) {
          int8Attention(q, keys, values, S, { queryStart: S - T, span: s, nHeads: heads, out: want });
          expect(p.setInt8Attention(a, keys, values, S, S - T, s)).toBe(true);
          p.run();
          expect(bytes(got).equals(bytes(want))).toBe(true);
        }
      }
      // back to rows: the record is an attention over rows again
      const keys = randomMatrix(rng, S, d, "kernel"), vals = randomMatrix(rng, S, d, "kernel"), positions = allocInt32(S);
      for (let j = 0; j < S; j++) positions[j] = j;
      prepareAttention(q, want, heads)(keys, vals, positions, S - T, CAUSAL);
      expect(p.setAttention(a, keys, vals, positions, S - T, CAUSAL)).toBe(true);
      p.run();
      expect(bytes(got).equals(bytes(want))).toBe(true);
      // checked like the ops
      expect(() => p.setPagedAttention(a, table, S + 2 * B, S - T, CAUSAL)).toThrow(ShapeError);
      expect(() => p.setInt8Attention(a, { data: kd, scales: ks, group: 3 }, values, S, S - T, CAUSAL)).toThrow(ShapeError);
    });
  });
});

describe("kernel program records", () => {
  it("refuse operands outside kernel memory and bad shapes; fail like the attention op", () => {
    under("wasm", () => {
      const p = KernelProgram.create(2)!;
      expect(p.linear(zeros([1, 8]), kernelZeros([4, 8]), undefined, kernelZeros([1, 4]))).toBe(false);
      expect(p.layerNorm(kernelZeros([1, 8]), kernelZeros([1, 8]).pick(0, null), zeros([8]), 1e-5, kernelZeros([1, 8]))).toBe(false);
      expect(() => p.linear(kernelZeros([1, 8]), kernelZeros([4, 7]), undefined, kernelZeros([1, 4]))).toThrow(ShapeError);
      expect(() => p.attention(kernelZeros([1, 8]), kernelZeros([1, 8]), 3)).toThrow(ShapeError);
      expect(p.length).toBe(0);
      const a = p.attention(kernelZeros([1, 8]), kernelZeros([1, 8]), 1);
      const keys = kernelZeros([3, 8]), positions = allocInt32(3);
      expect(p.setAttention(a, zeros([3, 8]), keys, positions, 2, CAUSAL)).toBe(false); // keys in JS memory
      expect(p.setAttention(a, keys, keys, [0, 1, 2], 2, CAUSAL)).toBe(false); // positions not an Int32Array in kernel memory
      positions.set([5, 6, 7]); // every key after the query: no key to see
      expect(p.setAttention(a, keys, keys, positions, 2, CAUSAL)).toBe(true);
      expect(() => p.run()).toThrow(NumericError);
      expect(() => p.run()).toThrow(/query row 0 \(position 2\) sees no key/);
      p.linear(kernelZeros([1, 8]), kernelZeros([4, 8]), undefined, kernelZeros([1, 4]));
      expect(() => p.linear(kernelZeros([1, 8]), kernelZeros([4, 8]), undefined, kernelZeros([1, 4]))).toThrow(/program is full/);
    });
  });

  it("give their kernel memory back on dispose, and run nothing after", () => {
    under("wasm", () => {
      const before = backendInfo().memoryUsed;
      const p = KernelProgram.create(100)!;
      expect(backendInfo().memoryUsed).toBeGreaterThanOrEqual(before + 100 * 24 * 4);
      p.dispose();
      p.dispose();
      expect(backendInfo().memoryUsed).toBe(before);
      expect(p.run()).toBe(false);
    });
  });

  it("run nothing under the js backend", () => {
    const p = under("wasm", () => KernelProgram.create(1)!);
    const out = kernelZeros([1, 2]);
    const w = kernelZeros([2, 2]);
    w.data.fill(1);
    const x = kernelZeros([1, 2]);
    x.data.fill(1);
    p.linear(x, w, undefined, out);
    expect(under("js", () => p.run())).toBe(false);
    expect([...out.data]).toEqual([0, 0]);
    expect(under("wasm", () => p.run())).toBe(true);
    expect([...out.data]).toEqual([2, 2]);
  });
});
