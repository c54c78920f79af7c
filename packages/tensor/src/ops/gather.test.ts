import { describe, expect, it } from "vitest";
import { embedding, fromArray, IndexError, Rng, ShapeError, toArray, zeros } from "../index.js";
import { expectError, expectOnlyViewWritten, LAYOUTS_2D, OUT_LAYOUTS, randInt, randomMatrix, read2d } from "../reference.test-utils.js";

describe("embedding", () => {
  it("gathers rows by id, repeats included", () => {
    const table = fromArray([[0, 1], [10, 11], [20, 21]]);
    expect(toArray(embedding(table, [2, 0, 2]))).toEqual([[20, 21], [0, 1], [20, 21]]);
  });

  it("copies exactly the naive table[ids[t]] for every table and out layout on random shapes", () => {
    const rng = new Rng(51);
    LAYOUTS_2D.forEach((lt, it) => {
      for (const lo of [undefined, ...OUT_LAYOUTS]) {
        const V = randInt(rng, 1, 20), d = randInt(rng, 1, 9), T = randInt(rng, 1, 8);
        const table = randomMatrix(rng, V, d);
        const idList = Array.from({ length: T }, () => randInt(rng, 0, V - 1));
        const ids = it % 2 === 0 ? idList : Int32Array.from(idList);
        const out = lo?.make(T, d);
        const y = embedding(lt.make(table, d), ids, out);
        expect(read2d(y)).toEqual(idList.map((id) => table[id]));
        if (out) {
          expect(y).toBe(out);
          expectOnlyViewWritten(out);
        }
      }
    });
  });

  it("returns [0, d] for no ids", () => {
    expect(embedding(zeros([5, 3]), []).shape).toEqual([0, 3]);
  });

  it("throws IndexError for ids that are out of range or not integers", () => {
    const table = zeros([20, 4]);
    expectError(() => embedding(table, [0, 19, 20]), IndexError, "embedding: id 20 at index 2 is out of range; expected an integer in [0, 20)");
    expectError(() => embedding(table, [-1]), IndexError, "embedding: id -1 at index 0 is out of range; expected an integer in [0, 20)");
    expectError(() => embedding(table, [1.5]), IndexError, "embedding: id 1.5 at index 0 is out of range; expected an integer in [0, 20)");
    expectError(() => embedding(table, [3, Number.NaN]), IndexError, "embedding: id NaN at index 1 is out of range; expected an integer in [0, 20)");
  });

  it("rejects a table that is not 2-D and an `out` of the wrong shape", () => {
    expectError(() => embedding(zeros([20]), [0]), ShapeError, "embedding: table must be 2-D; got table [20], expected table [rows, cols]");
    expectError(() => embedding(zeros([20, 4]), [0, 1], zeros([2, 5])), ShapeError, "embedding: out has the wrong shape; got out [2, 5], expected out [2, 4]");
  });
});
