// Kernel program records over an int8 cache that follow the position a run is given: quantizeToRow writes
// position p (int8 row p and its scale, or a per-channel group's float row, and the group once full) and
// nothing else; int8AttentionAt at p gives int8Attention's bits over positions 0..p as the cache holds them
// (keys int8 up to the last full group, the rest float), with heads, windows and sinks, in both builds; the
// records are checked, refuse operands outside kernel memory, bound run()'s position and free their scratch.
import { afterAll, describe, expect, it } from "vitest";
import { ShapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { zeros } from "../tensor.js";
import { CAUSAL } from "../ops/softmax.js";
import { backendInfo, setFma } from "./backend.js";
import { int8Attention } from "./kv-attention.js";
import { allocFloat32, allocInt8, kernelZeros } from "./memory.js";
import { randomMatrix, under } from "./placement.test-utils.js";
import { KernelProgram } from "./program.js";

const initial = backendInfo();
const builds = initial.fmaReason === undefined ? [false, true] : [false];
afterAll(() => setFma(initial.fma));
const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const G = 8;

/** An empty int8 cache of R positions of width d: values, keys with per-token scales, keys with per-channel scales. */
function int8Cache(R: number, d: number) {
  return {
    values: { data: allocInt8(R * d), scales: allocFloat32(R) },
    tokenKeys: { data: allocInt8(R * d), scales: allocFloat32(R), group: 0 },
    channelKeys: { data: allocInt8(R * d), scales: allocFloat32(Math.ceil(R / G) * d), group: G, residual: kernelZeros([G, d]) },
  };
}

describe.each(builds)("int8 position-following records, fma %s", (fma) => {
  it.each([[40, 64, 1], [21, 16, 2], [19, 12, 4]] as const)("R=%i d=%i heads=%i: position p written, attention over 0..p with int8Attention's bits", (R, d, heads) => {
    under("wasm", () => {
      setFma(fma);
      const rng = new Rng(R * d);
      const qkv = randomMatrix(rng, 1, 3 * d, "kernel"); // q | k | v, as a decode step's buffer
      const q = qkv.hi(1, d), k = qkv.lo(0, d).hi(1, d), v = qkv.lo(0, 2 * d).hi(1, d);
      for (const span of [CAUSAL, { window: 5, sinks: 2 }]) {
        const { values, tokenKeys, channelKeys } = int8Cache(R, d);
        for (const keys of [tokenKeys, channelKeys]) {
          const got = kernelZeros([1, d]), want = kernelZeros([1, d]);
          const p = KernelProgram.create(3)!;
          expect(p.quantizeToRow(k, keys) && p.quantizeToRow(v, values) && p.int8AttentionAt(q, got, heads, keys, values, R, span)).toBe(true);
          for (let at = 0; at < R; at++) {
            for (let i = 0; i < 3 * d; i++) qkv.data[i] = rng.normal();
            const before = [keys.data, values.data].map((a) => Buffer.from(bytes(a)));
            p.run(0, 3, at);
            // values: row `at` only, its scale the row's absmax / 127
            const row = (a: Int8Array, i: number): Buffer => bytes(a.subarray(i * d, (i + 1) * d));
            for (let i = 0; i < R; i++) if (i !== at) expect(row(values.data, i).equals(before[1]!.subarray(i * d, (i + 1) * d))).toBe(true);
            const max = Math.max(...Array.from(v.data.subarray(v.offset, v.offset + d), Math.abs));
            expect(values.scales[at]).toBe(Math.fround(max / 127));
            const filled = keys.group === 0 ? at + 1 : at + 1 - ((at + 1) % G);
            const changed = keys.group === 0 ? [at] : (at + 1) % G === 0 ? Array.from({ length: G }, (_, i) => at - G + 1 + i) : [];
            for (let i = 0; i < R; i++) if (!changed.includes(i)) expect(row(keys.data, i).equals(before[0]!.subarray(i * d, (i + 1) * d))).toBe(true);
            if (keys.group > 0) expect(Array.from(channelKeys.residual.data.subarray((at % G) * d, (at % G + 1) * d))).toEqual(Array.from(k.data.subarray(k.offset, k.offset + d)));
            int8Attention(q, { ...keys, quantized: filled }, values, at + 1, { queryStart: at, span, nHeads: heads, out: want });
            expect(bytes(got.data).equals(bytes(want.data))).toBe(true);
          }
          p.dispose();
        }
      }
    });
  });
});

describe("int8 position-following records", () => {
  it("are checked, refuse operands outside kernel memory, and bound run()'s position by the cache's positions", () => {
    under("wasm", () => {
      const d = 8, { values, tokenKeys, channelKeys } = int8Cache(12, d), q = kernelZeros([1, d]), out = kernelZeros([1, d]);
      const p = KernelProgram.create(4)!;
      expect(() => p.quantizeToRow(kernelZeros([2, d]), values)).toThrow(ShapeError);
      expect(() => p.quantizeToRow(q, { ...channelKeys, residual: kernelZeros([G - 1, d]) })).toThrow(ShapeError);
      expect(() => p.quantizeToRow(q, { ...channelKeys, residual: undefined })).toThrow(/residual/);
      expect(() => p.int8AttentionAt(q, out, 3, tokenKeys, values, 12, CAUSAL)).toThrow(ShapeError);
      expect(() => p.int8AttentionAt(q, out, 1, tokenKeys, values, 13, CAUSAL)).toThrow(ShapeError); // 12 positions only
      expect(() => p.int8AttentionAt(q, out, 1, { ...channelKeys, residual: kernelZeros([2, d]) }, values, 12, CAUSAL)).toThrow(ShapeError);
      expect(p.quantizeToRow(zeros([1, d]), values)).toBe(false);
      expect(p.quantizeToRow(q, { data: new Int8Array(12 * d), scales: allocFloat32(12) })).toBe(false);
      expect(p.int8AttentionAt(q, out, 1, tokenKeys, { data: values.data, scales: new Float32Array(12) }, 12, CAUSAL)).toBe(false);
      expect(p.length).toBe(0);
      expect(p.quantizeToRow(q, { data: values.data, scales: values.scales.subarray(0, 10) }) && p.int8AttentionAt(q, out, 1, channelKeys, values, 11, CAUSAL)).toBe(true);
      expect(p.run(0, 2, 9)).toBe(true);
      for (const at of [10, -1, 1.5]) expect(() => p.run(0, 2, at)).toThrow(ShapeError); // 10 scales, 11 positions
    });
  });

  it("give their scratch back on dispose", () => {
    under("wasm", () => {
      const { values, tokenKeys } = int8Cache(1000, 8), q = kernelZeros([1, 8]), out = kernelZeros([1, 8]);
      const before = backendInfo().memoryUsed;
      const p = KernelProgram.create(1)!;
      expect(p.int8AttentionAt(q, out, 1, tokenKeys, values, 1000, CAUSAL)).toBe(true);
      expect(backendInfo().memoryUsed).toBeGreaterThanOrEqual(before + 24 * 4 + 1000 * 4);
      p.dispose();
      expect(backendInfo().memoryUsed).toBe(before);
    });
  });
});
