// The wasm attention over a block table against `attention` over the same rows stored contiguously:
// the same bits (the kernel walks the blocks; nothing else changes), at block boundaries, with blocks
// scattered in memory, several heads, windows and sinks; and the JS path (gather, then `attention`).
import { describe, expect, it } from "vitest";
import { BlockTable } from "../block-table.js";
import { ShapeError } from "../errors.js";
import { attention } from "./dispatch.js";
import { pagedAttention } from "./kv-attention.js";
import type { AttentionSpan } from "../ops/softmax.js";
import { Rng } from "../rng.js";
import { zeros, type Tensor } from "../tensor.js";
import { backendInfo, setFma } from "./backend.js";
import { kernelZeros } from "./memory.js";
import { maxAbsDiff, randomMatrix, under } from "./placement.test-utils.js";

/** The table's blocks filled with rows of k and v, allocated in a shuffled order (scattered addresses). */
function tableOf(k: Tensor, v: Tensor, B: number, rng: Rng, inKernel = true): BlockTable {
  const [S, d] = k.shape as [number, number];
  const n = Math.ceil(S / B);
  const blocks = Array.from({ length: n }, () => null as [Tensor, Tensor] | null);
  const order = Array.from({ length: n }, (_, i) => i).sort(() => rng.uniform() - 0.5);
  const alloc = inKernel ? kernelZeros : zeros;
  for (const b of order) {
    const spacer = alloc([1 + (b % 3), d]); // keeps blocks apart: no two neighbours in memory
    blocks[b] = [alloc([B, d]), alloc([B, d])];
    void spacer;
  }
  const table = new BlockTable(B, d);
  blocks.forEach((kv, b) => {
    const [kb, vb] = kv!;
    for (let r = 0; r < B && b * B + r < S; r++) {
      for (let c = 0; c < d; c++) {
        kb.set(r, c, k.get(b * B + r, c));
        vb.set(r, c, v.get(b * B + r, c));
      }
    }
    for (let r = S - b * B; r < B; r++) for (let c = 0; c < d; c++) kb.set(r, c, 1e30); // garbage past S
    table.push(kb, vb);
  });
  return table;
}

/** Multi-head `attention` over contiguous keys and values (what `full` computes). */
function reference(q: Tensor, k: Tensor, v: Tensor, nHeads: number, queryStart: number, first: number, span: AttentionSpan): Tensor {
  const [T, d] = q.shape as [number, number];
  const S = k.shape[0]!, dh = d / nHeads;
  const out = kernelZeros([T, d]);
  const keyPositions = Int32Array.from({ length: S }, (_, j) => first + j);
  for (let h = 0; h < nHeads; h++) {
    const c = h * dh;
    attention(q.lo(0, c).hi(T, dh), k.lo(0, c).hi(S, dh), v.lo(0, c).hi(S, dh), { queryStart, keyPositions, span, out: out.lo(0, c).hi(T, dh) });
  }
  return out;
}

const bits = (t: Tensor): Uint32Array => new Uint32Array(Float32Array.from(t.data.subarray(t.offset, t.offset + t.shape[0]! * t.shape[1]!)).buffer);

const CAUSAL = { window: Infinity, sinks: 0 };

describe("pagedAttention (wasm) against attention over the gathered rows", () => {
  it.each([
    // [B, S, d, heads]: S below, at and past block boundaries; widths with and without a scalar tail
    [16, 1, 64, 1], [16, 15, 64, 1], [16, 16, 64, 1], [16, 17, 64, 1], [16, 1000, 64, 1], [1, 9, 64, 1], [3, 22, 64, 1],
    [4, 33, 20, 1], [7, 50, 13, 1], [8, 64, 64, 2], [5, 41, 48, 4], [33, 70, 6, 2], [2, 3, 1, 1],
  ])("decode: B=%i, S=%i, d=%i, %i head(s): the same bits", (B, S, d, nHeads) => {
    const rng = new Rng(B * 1009 + S * 31 + d);
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 1, d, "kernel");
    const table = tableOf(k, v, B, rng);
    const got = pagedAttention(q, table, S, { queryStart: S - 1, nHeads, out: kernelZeros([1, d]) });
    expect(bits(got)).toEqual(bits(reference(q, k, v, nHeads, S - 1, 0, CAUSAL)));
  });

  it("prefill: each query row gets the bits of the full kernel's paired rows", () => {
    const rng = new Rng(3);
    for (const [B, S, T] of [[16, 40, 40], [16, 40, 7], [5, 23, 10], [8, 8, 8]]) {
      const d = 64;
      const k = randomMatrix(rng, S!, d, "kernel"), v = randomMatrix(rng, S!, d, "kernel"), q = randomMatrix(rng, T!, d, "kernel");
      const table = tableOf(k, v, B!, rng);
      const got = pagedAttention(q, table, S!, { queryStart: S! - T!, out: kernelZeros([T!, d]) });
      expect(bits(got)).toEqual(bits(reference(q, k, v, 1, S! - T!, 0, CAUSAL)));
    }
  });

  it("honours windows, sinks and a first position other than 0, as attention does", () => {
    const rng = new Rng(17);
    const B = 6, S = 50, d = 24, T = 5, first = 100;
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, T, d, "kernel");
    const table = tableOf(k, v, B, rng);
    for (const span of [CAUSAL, { window: 8, sinks: 0 }, { window: 8, sinks: 103 }, { window: 1, sinks: 101 }, { window: 30, sinks: 117 }]) {
      const queryStart = first + S - T;
      const got = pagedAttention(q, table, S, { queryStart, firstPosition: first, span, out: kernelZeros([T, d]) });
      expect(bits(got)).toEqual(bits(reference(q, k, v, 1, queryStart, first, span)));
    }
  });

  it("gives +0 weights (underflowed exps) the same treatment: same bits at a huge score scale", () => {
    const rng = new Rng(19);
    const B = 16, S = 90, d = 64;
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 1, d, "kernel");
    for (let i = 0; i < d; i++) q.data[q.offset + i]! *= 60; // scores spread over thousands: most weights underflow
    const table = tableOf(k, v, B, rng);
    const got = pagedAttention(q, table, S, { queryStart: S - 1, out: kernelZeros([1, d]) });
    expect(bits(got)).toEqual(bits(reference(q, k, v, 1, S - 1, 0, CAUSAL)));
  });
});

describe("pagedAttention in both kernel builds", () => {
  const builds = backendInfo().fmaReason === undefined ? [false, true] : [false];
  it.each(builds)("fused multiply-add %s: the bits of the same build's attention over the gathered rows", (fma) => {
    const before = backendInfo().fma;
    setFma(fma);
    try {
      const rng = new Rng(31);
      for (const [B, S, d] of [[64, 1000, 64], [16, 70, 64], [7, 30, 13]] as const) {
        const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 3, d, "kernel");
        const table = tableOf(k, v, B, rng);
        const got = pagedAttention(q, table, S, { queryStart: S - 3, out: kernelZeros([3, d]) });
        expect(bits(got)).toEqual(bits(reference(q, k, v, 1, S - 3, 0, CAUSAL)));
      }
    } finally {
      setFma(before ?? false);
    }
  });
});

describe("pagedAttention's JS path", () => {
  it("gathers the blocks and agrees with the wasm kernel within 1e-5", () => {
    const rng = new Rng(23);
    const B = 16, S = 37, d = 32;
    const k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "kernel"), q = randomMatrix(rng, 3, d, "kernel");
    const table = tableOf(k, v, B, rng);
    const opts = { queryStart: S - 3, nHeads: 2 };
    const js = under("js", () => pagedAttention(q, table, S, opts));
    expect(bits(js)).toEqual(bits(under("js", () => reference(q, k, v, 2, S - 3, 0, CAUSAL))));
    expect(maxAbsDiff(js, pagedAttention(q, table, S, opts))).toBeLessThan(1e-5);
  });

  it("runs when the blocks live outside kernel memory", () => {
    const rng = new Rng(29);
    const B = 4, S = 10, d = 8;
    const k = randomMatrix(rng, S, d, "js"), v = randomMatrix(rng, S, d, "js"), q = randomMatrix(rng, 1, d, "js");
    const table = tableOf(k, v, B, rng, false);
    expect(table.kernelTable()).toBe(0);
    const expected = under("js", () => attention(q, k, v, { queryStart: S - 1, keyPositions: Int32Array.from({ length: S }, (_, j) => j) }));
    expect(maxAbsDiff(pagedAttention(q, table, S, { queryStart: S - 1 }), expected)).toBeLessThan(1e-6);
  });
});

describe("BlockTable and pagedAttention's checks", () => {
  it("grows its address table and counts its bytes", () => {
    const table = new BlockTable(4, 8);
    expect(table.bytes).toBe(0);
    for (let i = 0; i < 9; i++) table.push(kernelZeros([4, 8]), kernelZeros([4, 8]));
    expect(table.length).toBe(9);
    expect(table.capacity).toBe(16);
    expect(table.bytes).toBe(2 * 16 * 4);
    table.clear();
    expect(table.length).toBe(0);
    expect(table.capacity).toBe(16);
  });

  it("rejects a block of the wrong shape and an S past the blocks", () => {
    const table = new BlockTable(4, 8);
    expect(() => table.push(kernelZeros([4, 9]), kernelZeros([4, 8]))).toThrow(ShapeError);
    table.push(kernelZeros([4, 8]), kernelZeros([4, 8]));
    expect(() => pagedAttention(kernelZeros([1, 8]), table, 5, { queryStart: 4 })).toThrow("pagedAttention: S must lie within the table's blocks; got S = 5 over 1 blocks of 4, expected 0 <= S <= 4");
    expect(() => pagedAttention(kernelZeros([1, 6]), table, 4, { queryStart: 3 })).toThrow(ShapeError);
  });
});
