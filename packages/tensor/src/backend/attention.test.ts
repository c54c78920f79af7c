// The fused wasm attention against the JS composition (matmul, scale, maskCausal, softmax, matmul).
import { describe, expect, it } from "vitest";
import { NumericError } from "../errors.js";
import { attention } from "./dispatch.js";
import { Rng } from "../rng.js";
import { fromArray } from "../tensor.js";
import { loadedWasm } from "./backend.js";
import { allocFloat32 } from "./memory.js";
import { maxAbsDiff, randomMatrix, rowOf, under, type Placement } from "./placement.test-utils.js";

const range = (n: number, from = 0): Int32Array => Int32Array.from({ length: n }, (_, i) => from + i);

describe("wasm attention vs the JS composition", () => {
  it.each([
    [1, 1, 64], [1, 32, 64], [1, 33, 64], [4, 4, 64], [7, 7, 16], [5, 12, 5], [9, 9, 33], [3, 70, 64], [16, 16, 130], [2, 10, 1],
  ])("T=%i queries over S=%i keys of width %i, causal, agree within 1e-5", (T, S, dh) => {
    const rng = new Rng(T * 7919 + S * 31 + dh);
    for (const placement of ["js", "kernel", "strided"] as Placement[]) {
      const q = randomMatrix(rng, T, dh, placement);
      const k = randomMatrix(rng, S, dh, placement);
      const v = randomMatrix(rng, S, dh, placement);
      const opts = { queryStart: S - T, keyPositions: range(S) };
      const expected = under("js", () => attention(q, k, v, opts));
      expect(maxAbsDiff(attention(q, k, v, opts), expected)).toBeLessThan(1e-5);
    }
  });

  it("honours windows, sinks and scattered key positions like maskCausal", () => {
    const rng = new Rng(11);
    const S = 23, T = 6, dh = 8;
    const positions = Int32Array.from([0, 1, 2, 40, 41, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 42, 43, 44, 45, 3, 4, 46, 47]);
    const q = randomMatrix(rng, T, dh, "kernel"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    for (const span of [{ window: Infinity, sinks: 0 }, { window: 8, sinks: 0 }, { window: 8, sinks: 3 }, { window: 1, sinks: 2 }]) {
      const opts = { queryStart: 42, keyPositions: positions, span, scale: 0.3 };
      const expected = under("js", () => attention(q, k, v, opts));
      expect(maxAbsDiff(attention(q, k, v, opts), expected)).toBeLessThan(1e-5);
    }
  });

  it("gives the decode row the same bits as the same position inside a longer causal call", () => {
    const rng = new Rng(5);
    const S = 45, dh = 64;
    const q = randomMatrix(rng, S, dh, "kernel"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    const all = attention(q, k, v, { queryStart: 0, keyPositions: range(S) }); // prefill / recompute
    for (const t of [0, 1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 31, 44]) { // every S % 8: the keys past the last block of 8
      const cached = attention(q.lo(t, 0).hi(1, dh), k.hi(t + 1, dh), v.hi(t + 1, dh), { queryStart: t, keyPositions: range(t + 1) });
      expect(rowOf(cached, 0)).toEqual(rowOf(all, t));
    }
  });

  it("gives each row of a call the bits it gets alone (the kernel pairs rows), with windows, sinks, gaps and +0 weights", () => {
    const rng = new Rng(23);
    const S = 70, dh = 20;
    const consecutive = range(S), gaps = Int32Array.from({ length: S }, (_, j) => 2 * j + (j % 3 === 0 ? 1 : 0));
    const k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    for (const T of [2, 5, 8]) {
      const q = randomMatrix(rng, T, dh, "kernel");
      for (const [positions, queryStart] of [[consecutive, S - T], [gaps, 2 * S - T]] as const) {
        // scale 40: many weights underflow to exactly +0 in the middle of a row's keys
        for (const [span, scale] of [[{ window: Infinity, sinks: 0 }, 1], [{ window: 9, sinks: 0 }, 1], [{ window: 12, sinks: 3 }, 1], [{ window: Infinity, sinks: 0 }, 40], [{ window: 17, sinks: 2 }, 40]] as const) {
          const opts = { keyPositions: positions, span, scale };
          const all = attention(q, k, v, { ...opts, queryStart });
          for (let t = 0; t < T; t++) {
            const alone = attention(q.lo(t, 0).hi(1, dh), k, v, { ...opts, queryStart: queryStart + t });
            expect(rowOf(alone, 0)).toEqual(rowOf(all, t));
          }
        }
      }
    }
  });

  it("handles positions at the i32 edges: keys from -2^31, queries near 2^31, a window of 1 and a few sinks", () => {
    const rng = new Rng(29);
    const S = 16, T = 4, dh = 8;
    const positions = range(S, -(2 ** 31) + 5);
    const q = randomMatrix(rng, T, dh, "kernel"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    const opts = { queryStart: 2 ** 31 - 10, keyPositions: positions, span: { window: 1, sinks: -(2 ** 31) + 8 } };
    const expected = under("js", () => attention(q, k, v, opts));
    expect(maxAbsDiff(attention(q, k, v, opts), expected)).toBeLessThan(1e-5);
  });

  it("is a typed error when a query sees no key, under both backends", () => {
    const q = fromArray([[1, 0]]), k = fromArray([[1, 0], [0, 1]]), v = fromArray([[1, 2], [3, 4]]);
    const opts = { queryStart: 0, keyPositions: [5, 6] };
    expect(() => attention(q, k, v, opts)).toThrow(NumericError);
    expect(() => under("js", () => attention(q, k, v, opts))).toThrow(NumericError);
  });

  it("computes a hand case: two equal scores average the values", () => {
    const q = fromArray([[0, 0]]), k = fromArray([[1, 2], [3, 4]]), v = fromArray([[1, 10], [3, 30]]);
    expect(Array.from(attention(q, k, v, { queryStart: 1, keyPositions: [0, 1] }).data)).toEqual([2, 20]);
  });

  it("rejects mismatched shapes", () => {
    expect(() => attention(fromArray([[1, 2]]), fromArray([[1, 2, 3]]), fromArray([[1, 2, 3]]), { queryStart: 0, keyPositions: [0] })).toThrow(
      "attention: q, k and v do not fit; got q [1, 2], k [1, 3], v [1, 3], expected k [S, 2] and v [S, dv]",
    );
  });
});

describe("the kernels' exp", () => {
  it("is within 3e-7 relative of Math.exp over the softmax range", () => {
    const n = 4096;
    const x = allocFloat32(n), out = allocFloat32(n);
    for (let i = 0; i < n; i++) x[i] = -87 + (87 + 10) * (i / (n - 1)); // [-87, 10]
    const state = loadedWasm()!;
    state.kernels.exp_f32(x.byteOffset, out.byteOffset, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out[i]! - Math.exp(x[i]!)) / Math.exp(x[i]!));
    expect(worst).toBeLessThan(3e-7);
  });
});
