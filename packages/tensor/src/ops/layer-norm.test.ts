import { describe, expect, it } from "vitest";
import { fromArray, layerNorm, Rng, ShapeError, zeros } from "../index.js";
import {
  BACKENDS, expectClose2d, expectError, expectOnlyViewWritten, LAYOUTS_1D, LAYOUTS_2D, OUT_LAYOUTS, randInt, randomMatrix,
  randomVector, read1d, read2d, useBackend, type Vector,
} from "../reference.test-utils.js";

/** Naive PyTorch layer norm of one row in float64 (biased variance, eps inside the sqrt). */
function naiveLayerNorm(row: Vector, w: Vector, b: Vector, eps: number): Vector {
  const mean = row.reduce((s, v) => s + v, 0) / row.length;
  const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
  return row.map((v, j) => ((v - mean) / Math.sqrt(variance + eps)) * w[j]! + b[j]!);
}

/** Normalised values are O(1) (|z| <= √d); float32 statistics stay well within 1e-5 of them. */
const tolFor = (w: Vector, b: Vector) => (_i: number, j: number) => 1e-5 * (Math.abs(w[j]!) * 4 + Math.abs(b[j]!) + 1);

describe.each(BACKENDS)("layerNorm (%s backend)", (backend) => {
  useBackend(backend);

  it("normalises a hand case: [1, 2, 3] -> [-√1.5, 0, √1.5]", () => {
    const y = read2d(layerNorm(fromArray([[1, 2, 3]]), fromArray([1, 1, 1]), fromArray([0, 0, 0]), 0));
    const r = Math.sqrt(1.5);
    y[0]!.forEach((v, j) => expect(Math.abs(v - [-r, 0, r][j]!)).toBeLessThanOrEqual(1e-6));
  });

  it("gives exactly the bias for a constant row, at every width and constant", () => {
    const rng = new Rng(41);
    for (const d of [1, 3, 5, 7, 64, 100]) {
      const w = randomVector(rng, d), b = randomVector(rng, d);
      for (const c of [0, 0.1, -3.7, 1 / 3, 123.456, 1e-3]) {
        const rows = [Array<number>(d).fill(Math.fround(c)), Array<number>(d).fill(Math.fround(-c * 7))];
        for (const layout of [LAYOUTS_2D[0]!, LAYOUTS_2D[1]!]) {
          const y = layerNorm(layout.make(rows, d), LAYOUTS_1D[0]!.make(w), LAYOUTS_1D[0]!.make(b), 1e-5);
          expect(read2d(y)).toEqual([b, b]);
        }
      }
    }
  });

  it("matches a naive float64 reference for every layout of x, weight, bias and out on random shapes", () => {
    const rng = new Rng(42);
    LAYOUTS_2D.forEach((lx, ix) => {
      for (const lo of [undefined, ...OUT_LAYOUTS]) {
        const T = randInt(rng, 1, 5), d = randInt(rng, 1, 70);
        const x = randomMatrix(rng, T, d, 1 + ix), w = randomVector(rng, d), b = randomVector(rng, d);
        const lw = LAYOUTS_1D[ix % LAYOUTS_1D.length]!, lb = LAYOUTS_1D[(ix + 3) % LAYOUTS_1D.length]!;
        const out = lo?.make(T, d);
        const y = layerNorm(lx.make(x, d), lw.make(w), lb.make(b), 1e-5, out);
        if (out) {
          expect(y).toBe(out);
          expectOnlyViewWritten(out);
        }
        expectClose2d(y, x.map((r) => naiveLayerNorm(r, w, b, 1e-5)), tolFor(w, b));
      }
    });
  });

  it("gives bit-identical rows whether a row is normalised alone or with other rows", () => {
    const rng = new Rng(43);
    const [T, d] = [7, 64];
    const x = LAYOUTS_2D[0]!.make(randomMatrix(rng, T, d), d);
    const w = LAYOUTS_1D[0]!.make(randomVector(rng, d)), b = LAYOUTS_1D[0]!.make(randomVector(rng, d));
    const all = read2d(layerNorm(x, w, b, 1e-5));
    for (let i = 0; i < T; i++) expect(read2d(layerNorm(x.lo(i, 0).hi(1, d), w, b, 1e-5))[0]).toEqual(all[i]);
  });

  it("keeps eps inside the square root (a zero-variance row with eps 1 stays finite)", () => {
    const y = layerNorm(fromArray([[2, 2, 4]]), fromArray([1, 1, 1]), fromArray([0, 0, 0]), 1);
    // mean 8/3, variance 8/9: (x - mean) / sqrt(8/9 + 1)
    const want = [2, 2, 4].map((v) => (v - 8 / 3) / Math.sqrt(8 / 9 + 1));
    read1d(y.pick(0, null)).forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThanOrEqual(1e-6));
  });

  it("rejects x that is not 2-D and weight, bias or out of the wrong shape", () => {
    const w = zeros([4]), b = zeros([4]);
    expectError(() => layerNorm(zeros([4]), w, b, 1e-5), ShapeError, "layerNorm: x must be 2-D; got x [4], expected x [rows, cols]");
    expectError(() => layerNorm(zeros([2, 4]), zeros([3]), b, 1e-5), ShapeError, "layerNorm: weight has the wrong shape; got weight [3], expected weight [4]");
    expectError(() => layerNorm(zeros([2, 4]), w, zeros([1, 4]), 1e-5), ShapeError, "layerNorm: bias has the wrong shape; got bias [1, 4], expected bias [4]");
    expectError(() => layerNorm(zeros([2, 4]), w, b, 1e-5, zeros([4, 2])), ShapeError, "layerNorm: out has the wrong shape; got out [4, 2], expected out [2, 4]");
  });
});
