// The wasm attention's key ranges: with consecutive key positions a row visits only its sinks and its
// window (attention-mask.ts), with any other positions every key. Both must agree with the JS composition,
// and give a row the same bits whichever way its keys were found and however many hidden keys it has.
import { describe, expect, it } from "vitest";
import { NumericError } from "../errors.js";
import { attention } from "./dispatch.js";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { maxAbsDiff, randomMatrix, rowOf, under } from "./placement.test-utils.js";

const range = (n: number, from = 0): Int32Array => Int32Array.from({ length: n }, (_, i) => from + i);
const spans = [
  { window: Infinity, sinks: 0 }, { window: 1, sinks: 0 }, { window: 5, sinks: 0 }, { window: 16, sinks: 0 },
  { window: 8, sinks: 3 }, { window: 3, sinks: 9 }, { window: 20, sinks: 1 }, { window: 2.5, sinks: 0.5 }, { window: 40, sinks: 40 },
];

/** k, v [S, dh] with `extra` more rows at the end (hidden keys appended). */
function keysWithExtra(rng: Rng, S: number, extra: number, dh: number): [Tensor, Tensor, Tensor, Tensor] {
  const k = randomMatrix(rng, S + extra, dh, "kernel"), v = randomMatrix(rng, S + extra, dh, "kernel");
  return [k.hi(S, dh), v.hi(S, dh), k, v];
}

describe("wasm attention over consecutive key positions", () => {
  it.each([
    [1, 37, 64, 0], [1, 64, 64, 100], [6, 29, 8, 0], [13, 50, 33, 7], [40, 40, 5, 0], [3, 95, 16, 1000], [1, 9, 3, 0],
  ])("T=%i over S=%i keys of width %i from position %i, every span, agree with JS within 1e-5", (T, S, dh, p0) => {
    const rng = new Rng(T * 131 + S * 17 + dh + p0);
    const q = randomMatrix(rng, T, dh, "strided"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "strided");
    for (const span of spans) {
      for (const queryStart of [p0 + S - T, p0 + S + 3]) {
        const opts = { queryStart, keyPositions: range(S, p0), span, scale: 0.4 };
        let expected: Tensor;
        try {
          expected = under("js", () => attention(q, k, v, opts));
        } catch {
          expect(() => attention(q, k, v, opts)).toThrow(); // a row sees no key under both backends
          continue;
        }
        expect(maxAbsDiff(attention(q, k, v, opts), expected)).toBeLessThan(1e-5);
      }
    }
  });

  it("gives every row the same bits as with a hidden key appended (which makes the positions scattered)", () => {
    const rng = new Rng(23);
    for (const [T, S, dh] of [[12, 12, 64], [20, 45, 7], [1, 300, 64]] as const) {
      const q = randomMatrix(rng, T, dh, "kernel");
      const [k, v, kMore, vMore] = keysWithExtra(rng, S, 1, dh);
      for (const span of spans) {
        const start = S - T;
        const positions = range(S + 1);
        positions[S] = 1 << 30; // in the future of every query: hidden
        const plain = attention(q, k, v, { queryStart: start, keyPositions: range(S), span });
        const scattered = attention(q, kMore, vMore, { queryStart: start, keyPositions: positions, span });
        for (let i = 0; i < T; i++) expect(rowOf(scattered, i)).toEqual(rowOf(plain, i));
      }
    }
  });

  it("gives a decode row with a window and sinks the same bits as inside a longer call", () => {
    const rng = new Rng(29);
    const S = 70, dh = 64;
    const q = randomMatrix(rng, S, dh, "kernel"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    for (const span of [{ window: 9, sinks: 2 }, { window: 30, sinks: 0 }, { window: 4, sinks: 17 }]) {
      const all = attention(q, k, v, { queryStart: 0, keyPositions: range(S), span });
      for (const t of [0, 3, 8, 11, 12, 13, 14, 16, 17, 40, 69]) {
        const one = attention(q.lo(t, 0).hi(1, dh), k.hi(t + 1, dh), v.hi(t + 1, dh), { queryStart: t, keyPositions: range(t + 1), span });
        expect(rowOf(one, 0)).toEqual(rowOf(all, t));
      }
    }
  });

  it("agrees with JS on ring-buffer positions (a rotated window) within 1e-5", () => {
    const rng = new Rng(31);
    const S = 37, dh = 12, T = 3;
    const q = randomMatrix(rng, T, dh, "kernel"), k = randomMatrix(rng, S, dh, "kernel"), v = randomMatrix(rng, S, dh, "kernel");
    const positions = Int32Array.from({ length: S }, (_, j) => 100 + ((j + 11) % S));
    for (const span of [{ window: Infinity, sinks: 0 }, { window: 20, sinks: 0 }, { window: 6, sinks: 104 }]) {
      const opts = { queryStart: 100 + S - T, keyPositions: positions, span };
      const expected = under("js", () => attention(q, k, v, opts));
      expect(maxAbsDiff(attention(q, k, v, opts), expected)).toBeLessThan(1e-5);
    }
  });

  it("reports a NaN score as a typed error, in the block path and the one-key tail", () => {
    const rng = new Rng(37);
    for (const S of [16, 19]) {
      const q = randomMatrix(rng, 1, 8, "kernel"), k = randomMatrix(rng, S, 8, "kernel"), v = randomMatrix(rng, S, 8, "kernel");
      k.set(S - 1, 3, NaN); // the last key: in a block of 8 when S = 16, in the tail when S = 19
      expect(() => attention(q, k, v, { queryStart: S - 1, keyPositions: range(S) })).toThrow(NumericError);
      k.set(S - 1, 3, 0);
      k.set(2, 5, NaN);
      expect(() => attention(q, k, v, { queryStart: S - 1, keyPositions: range(S) })).toThrow(NumericError);
    }
  });
});
