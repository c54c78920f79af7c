// The wasm layer norm against the JS reference kernel.
import { describe, expect, it } from "vitest";
import { layerNorm } from "./dispatch.js";
import { Rng } from "../rng.js";
import { fromArray } from "../tensor.js";
import { maxAbsDiff, randomMatrix, randomVector, rowOf, under, type Placement } from "./placement.test-utils.js";

describe("wasm layerNorm vs the JS kernel", () => {
  it.each([[1, 64], [3, 64], [5, 7], [16, 128], [2, 1], [4, 130]])("x [%i, %i] agrees within 1e-5", (T, d) => {
    const rng = new Rng(T * 100 + d);
    for (const placement of ["js", "kernel", "strided"] as Placement[]) {
      const x = randomMatrix(rng, T, d, placement);
      for (let i = 0; i < x.shape[0]!; i++) x.set(i, 0, x.get(i, 0) * 30 + 10); // an offset and spread to normalise away
      const w = randomVector(rng, d, placement !== "js");
      const b = randomVector(rng, d, placement !== "js");
      const expected = under("js", () => layerNorm(x, w, b, 1e-5));
      expect(maxAbsDiff(layerNorm(x, w, b, 1e-5), expected)).toBeLessThan(1e-5);
    }
  });

  it("normalises a constant row to exactly the bias and is per-row deterministic", () => {
    const x = fromArray([[3, 3, 3, 3, 3], [1, 2, 3, 4, 5]]);
    const w = fromArray([2, 2, 2, 2, 2]);
    const b = fromArray([0.25, -1, 0, 1, 2]);
    const y = layerNorm(x, w, b, 1e-5);
    expect(rowOf(y, 0)).toEqual([0.25, -1, 0, 1, 2]);
    expect(rowOf(layerNorm(x.lo(1, 0).hi(1, 5), w, b, 1e-5), 0)).toEqual(rowOf(y, 1));
  });
});
