// Kernel program records over a block table that follow the position a run is given (a decode step over a
// paged cache): copyToBlock writes position p's row of its block and nothing else, pagedAttentionAt at p
// gives pagedAttention's bits over positions 0..p (with heads, windows and sinks, blocks of any size, in
// both builds), and run() refuses a position whose block the table does not list, and runs nothing once a
// table's blocks moved.
import { afterAll, describe, expect, it } from "vitest";
import { BlockTable } from "../block-table.js";
import { ShapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { zeros } from "../tensor.js";
import { CAUSAL } from "../ops/softmax.js";
import { backendInfo, setFma } from "./backend.js";
import { pagedAttention } from "./kv-attention.js";
import { kernelZeros } from "./memory.js";
import { elementBytes, randomMatrix, under } from "./placement.test-utils.js";
import { KernelProgram } from "./program.js";

const bytes = elementBytes;
const initial = backendInfo();
const builds = initial.fmaReason === undefined ? [false, true] : [false];
afterAll(() => setFma(initial.fma));

/** A table of `n` blocks of B random rows, room for `room` blocks. */
function randomTable(rng: Rng, B: number, d: number, n: number, room = n): BlockTable {
  const table = new BlockTable(B, d);
  table.reserve(room);
  for (let b = 0; b < n; b++) table.push(randomMatrix(rng, B, d, "kernel"), randomMatrix(rng, B, d, "kernel"));
  return table;
}

/** Every block's keys and values, in order. */
const tableBytes = (t: BlockTable): Buffer => Buffer.concat(Array.from({ length: t.length }, (_, b) => Buffer.concat([bytes(t.keys(b)), bytes(t.values(b))])));

describe.each(builds)("block-table records, fma %s", (fma) => {
  it.each([[4, 64, 1, 10], [6, 16, 2, 5], [5, 12, 4, 3]] as const)("B=%i d=%i heads=%i: position p's row written, attention over 0..p with pagedAttention's bits", (B, d, heads, n) => {
    under("wasm", () => {
      setFma(fma);
      const rng = new Rng(B + d);
      const qkv = randomMatrix(rng, 1, 3 * d, "kernel"); // q | k | v, as a decode step's buffer
      const q = qkv.hi(1, d), k = qkv.lo(0, d).hi(1, d), v = qkv.lo(0, 2 * d).hi(1, d);
      const table = randomTable(rng, B, d, n);
      for (const span of [CAUSAL, { window: 5, sinks: 2 }]) {
        const got = kernelZeros([1, d]);
        const p = KernelProgram.create(3)!;
        expect(p.copyToBlock(k, table, "keys") && p.copyToBlock(v, table, "values") && p.pagedAttentionAt(q, got, heads, table, span)).toBe(true);
        for (const at of [0, 1, B - 1, B, B + 1, n * B - 2, n * B - 1]) {
          for (let i = 0; i < 3 * d; i++) qkv.data[i] = rng.normal();
          const before = tableBytes(table);
          p.run(0, 3, at);
          const block = Math.floor(at / B), row = 4 * d * (at % B);
          expect(bytes(table.keys(block)).subarray(row, row + 4 * d).equals(bytes(k))).toBe(true);
          expect(bytes(table.values(block)).subarray(row, row + 4 * d).equals(bytes(v))).toBe(true);
          // nothing else changed: put the old row back and compare the whole table
          const K = table.keys(block), V = table.values(block), r = at % B;
          for (let j = 0; j < d; j++) {
            K.data[K.offset + r * d + j] = before.readFloatLE(2 * 4 * B * d * block + 4 * (r * d + j));
            V.data[V.offset + r * d + j] = before.readFloatLE(2 * 4 * B * d * block + 4 * B * d + 4 * (r * d + j));
          }
          expect(tableBytes(table).equals(before)).toBe(true);
          for (let j = 0; j < d; j++) {
            K.data[K.offset + r * d + j] = k.data[k.offset + j]!;
            V.data[V.offset + r * d + j] = v.data[v.offset + j]!;
          }
          const want = pagedAttention(q, table, at + 1, { queryStart: at, span, nHeads: heads, out: kernelZeros([1, d]) }); // the kernel's bits
          expect(bytes(got).equals(bytes(want))).toBe(true);
        }
        p.dispose();
      }
    });
  });
});

describe("block-table records", () => {
  it("are checked, and run only at a position whose block is listed, over tables whose blocks stayed", () => {
    under("wasm", () => {
      const rng = new Rng(3);
      const table = randomTable(rng, 4, 8, 2, 3); // positions 0..7, room for 0..11
      const p = KernelProgram.create(4)!;
      expect(() => p.copyToBlock(kernelZeros([1, 7]), table, "keys")).toThrow(ShapeError);
      expect(() => p.pagedAttentionAt(kernelZeros([1, 8]), kernelZeros([1, 8]), 3, table, CAUSAL)).toThrow(ShapeError);
      expect(p.copyToBlock(zeros([1, 8]), table, "keys")).toBe(false); // not in kernel memory
      expect(p.length).toBe(0);
      const q = randomMatrix(rng, 1, 8, "kernel"), out = kernelZeros([1, 8]);
      expect(p.copyToBlock(q, table, "keys") && p.pagedAttentionAt(q, out, 2, table, CAUSAL)).toBe(true);
      expect(p.run(0, 2, 7)).toBe(true);
      expect(() => p.run(0, 2, 8)).toThrow(/does not list the position's block/);
      expect(() => p.run(0, 2, 12)).toThrow(ShapeError); // past the table's room
      table.push(randomMatrix(rng, 4, 8, "kernel"), randomMatrix(rng, 4, 8, "kernel"));
      expect(p.run(0, 2, 8)).toBe(true);
      table.push(randomMatrix(rng, 4, 8, "kernel"), randomMatrix(rng, 4, 8, "kernel")); // grows: its addresses move
      const before = bytes(out);
      expect(p.run(0, 2, 8)).toBe(false);
      expect(bytes(out).equals(before)).toBe(true);
      p.dispose();
    });
  });

  it("give their scratch back on dispose", () => {
    under("wasm", () => {
      const table = randomTable(new Rng(1), 64, 8, 1, 16), q = kernelZeros([1, 8]), out = kernelZeros([1, 8]);
      const before = backendInfo().memoryUsed;
      const p = KernelProgram.create(1)!;
      expect(p.pagedAttentionAt(q, out, 1, table, CAUSAL)).toBe(true);
      expect(backendInfo().memoryUsed).toBeGreaterThanOrEqual(before + 24 * 4 + 1024 * 4);
      p.dispose();
      expect(backendInfo().memoryUsed).toBe(before);
    });
  });
});
