// The wasm linear against the JS reference kernel, on random shapes and memory placements.
import { describe, expect, it } from "vitest";
import { backendInfo, setDecodeBaseline, setFma } from "./backend.js";
import { linear } from "./dispatch.js";
import { kernelZeros } from "./memory.js";
import { Rng } from "../rng.js";
import { fromArray, zeros, type Tensor } from "../tensor.js";
import { maxAbsDiff, randomMatrix, randomVector, rowOf, under, type Placement } from "./placement.test-utils.js";

const SHAPES: [number, number, number][] = [
  [1, 64, 64], [1, 64, 128], [1, 128, 64], [1, 64, 20], [2, 64, 64], [3, 7, 5], [5, 13, 9], [17, 64, 128], [33, 4, 3], [4, 1, 1], [1, 3, 13],
];
const PLACEMENTS: Placement[] = ["js", "kernel", "strided"];
const BUILDS = backendInfo().fmaReason === undefined ? [false, true] : [false]; // the test set-up runs FMA where it can

describe("wasm linear vs the JS kernel", () => {
  it.each(SHAPES)("x [%i, %i] · W [%i, n]ᵀ agrees within 1e-5 for every placement and fusion", (T, n, m) => {
    const rng = new Rng(T * 1000 + n * 10 + m);
    for (const placement of PLACEMENTS) {
      const x = randomMatrix(rng, T, n, placement);
      const w = randomMatrix(rng, m, n, placement);
      const bias = randomVector(rng, m, placement !== "js");
      for (const [fuse, useBias] of [[undefined, true], [undefined, false], [{ relu: true }, true], [{ accumulate: true }, false], [{ relu: true, accumulate: true }, true]] as const) {
        const start = randomMatrix(rng, T, m, placement);
        const run = (): ReturnType<typeof zeros> => {
          const out = zeros([T, m]);
          out.data.set(Array.from({ length: T * m }, (_, i) => start.get(Math.floor(i / m), i % m)));
          return linear(x, w, useBias ? bias : undefined, out, fuse);
        };
        const expected = under("js", run);
        const got = under("wasm", run);
        expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5 * Math.sqrt(n));
      }
    }
  });

  it("gives a row the same bits whether computed alone or with other rows", () => {
    const rng = new Rng(7);
    const x = randomMatrix(rng, 9, 64, "kernel");
    const w = randomMatrix(rng, 128, 64, "kernel");
    const b = randomVector(rng, 128, true);
    const all = linear(x, w, b);
    for (let i = 0; i < 9; i++) {
      const one = linear(x.lo(i, 0).hi(1, 64), w, b);
      expect(rowOf(one, 0)).toEqual(rowOf(all, i));
    }
  });

  it("gives every row of a batched call the bits of its own single-row call (random shapes, layouts, fusions)", () => {
    const rng = new Rng(2024);
    const pick = (xs: readonly number[]): number => xs[Math.floor(rng.uniform() * xs.length)]!;
    const fusions = [undefined, { relu: true }, { accumulate: true }, { relu: true, accumulate: true }] as const;
    const bits = (t: Tensor, i: number): number[] => Array.from(new Uint32Array(new Float32Array(rowOf(t, i)).buffer));
    for (let trial = 0; trial < 60; trial++) {
      // T around and past the row tile (2), n and m around multiples of 4 and the model's sizes
      const T = pick([2, 3, 4, 5, 7, 8, 9, 13, 31]);
      const n = pick([1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 128]);
      const m = pick([1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 64, 67, 128]);
      const placement = pick([0, 1, 2]);
      const place = PLACEMENTS[placement]!;
      const x = randomMatrix(rng, T, n, place);
      const w = randomMatrix(rng, m, n, PLACEMENTS[pick([0, 1, 2])]!);
      const b = rng.uniform() < 0.5 ? randomVector(rng, m, rng.uniform() < 0.5) : undefined;
      const fuse = fusions[trial % fusions.length];
      const start = randomMatrix(rng, T, m, "kernel");
      const all = zeros([T, m]);
      for (let i = 0; i < T; i++) for (let j = 0; j < m; j++) all.set(i, j, start.get(i, j));
      under("wasm", () => linear(x, w, b, all, fuse));
      for (let i = 0; i < T; i++) {
        const one = zeros([1, m]);
        for (let j = 0; j < m; j++) one.set(0, j, start.get(i, j));
        under("wasm", () => linear(x.lo(i, 0).hi(1, n), w, b, one, fuse));
        expect(bits(all, i), `trial ${trial}: T=${T} n=${n} m=${m} ${place} row ${i}`).toEqual(bits(one, 0));
      }
    }
  });

  it.each(BUILDS)("gives the single-row kernel's outputs the bits of the batched kernel at the model's widths (fma %s)", (fma) => {
    // matvec runs the model's widths (n = 64, 128, packed weights) in blocks of six and four outputs, then
    // one at a time (or, under setDecodeBaseline, in the earlier blocks of eight): every m below ends in a
    // different mix of them
    const initial = backendInfo().fma;
    const rng = new Rng(77);
    const bits = (t: Tensor, i: number): number[] => Array.from(new Uint32Array(new Float32Array(rowOf(t, i)).buffer));
    try {
      setFma(fma);
      for (const n of [64, 128]) {
        for (const m of [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 20, 64, 128, 192]) {
          for (const fuse of [undefined, { relu: true }, { accumulate: true }, { relu: true, accumulate: true }]) {
            const x = randomMatrix(rng, 3, n, "kernel"), w = randomMatrix(rng, m, n, "kernel"), b = randomVector(rng, m, true);
            const all = kernelZeros([3, m]), start = randomMatrix(rng, 3, m, "kernel");
            all.data.set(start.data.subarray(0, 3 * m));
            linear(x, w, b, all, fuse); // rows 0 and 1 in the two-row kernel, row 2 in matvec
            for (const i of [0, 1]) {
              for (const baseline of [false, true]) { // the earlier eight-output blocks too
                setDecodeBaseline(baseline);
                const one = kernelZeros([1, m]);
                one.data.set(start.data.subarray(i * m, (i + 1) * m));
                linear(x.lo(i, 0).hi(1, n), w, b, one, fuse);
                expect(bits(one, 0), `n=${n} m=${m} row ${i}${baseline ? " baseline" : ""}`).toEqual(bits(all, i));
              }
            }
          }
        }
      }
    } finally {
      setFma(initial);
      setDecodeBaseline(false);
    }
  });

  it("falls back to the JS kernel for a transposed weight (columns not unit-stride) and still agrees", () => {
    const rng = new Rng(3);
    const x = randomMatrix(rng, 4, 6, "kernel");
    const wT = randomMatrix(rng, 6, 5, "kernel").transpose(1, 0); // [5, 6] view with stride [1, 5]
    const expected = under("js", () => linear(x, wT));
    expect(maxAbsDiff(linear(x, wT), expected)).toBe(0);
  });

  it("matches a hand-computed case exactly", () => {
    const x = fromArray([[1, 2]]);
    const w = fromArray([[3, 4], [-5, 6], [0, -1]]);
    const b = fromArray([0.5, -0.5, 1]);
    expect(Array.from(linear(x, w, b).data)).toEqual([11.5, 6.5, -1]);
    expect(Array.from(linear(x, w, b, undefined, { relu: true }).data)).toEqual([11.5, 6.5, 0]);
    const h = fromArray([[1, 1, 1]]);
    linear(x, w, b, h, { accumulate: true });
    expect(Array.from(h.data)).toEqual([12.5, 7.5, 0]);
  });

  it("rejects accumulate without an out tensor", () => {
    expect(() => linear(fromArray([[1]]), fromArray([[1]]), undefined, undefined, { accumulate: true })).toThrow(
      "linear: accumulate needs an out tensor to add into; got no out, expected out [1, 1]",
    );
  });
});
