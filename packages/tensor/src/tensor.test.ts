import { describe, expect, it } from "vitest";
import {
  assertShape, contiguous, formatShape, fromArray, isContiguous, randn, Rng, sameShape, ShapeError, sizeOf, tensor, toArray, zeros,
} from "./index.js";
import { expectError, LAYOUTS_2D, randInt, randomMatrix } from "./reference.test-utils.js";

describe("constructors and conversion", () => {
  it("wraps row-major data, builds from nested arrays and converts back", () => {
    const t = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(toArray(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(toArray(fromArray([[1, 2], [3, 4]]).transpose(1, 0))).toEqual([[1, 3], [2, 4]]);
    expect(toArray(fromArray([0.5, -1]))).toEqual([0.5, -1]);
    expect(fromArray([]).shape).toEqual([0]);
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
  });

  it("rejects data of the wrong length, ragged rows and ranks toArray cannot convert", () => {
    expectError(() => tensor(new Float32Array(3), [2, 2]), ShapeError, "tensor: data length does not match the shape; got 3 values, expected 4 for [2, 2]");
    expectError(() => fromArray([[1, 2], [3]]), ShapeError, "fromArray: rows differ in length; got row 1 with 1, expected 2 like row 0");
    expectError(() => toArray(zeros([1, 2, 3])), ShapeError, "toArray: only 1-D and 2-D tensors convert; got [1, 2, 3], expected rank 1 or 2");
  });

  it("randn draws N(0, std²) in row-major order from the Rng", () => {
    const t = randn([2, 3], new Rng(9), 0.5);
    const rng = new Rng(9);
    expect(Array.from(t.data)).toEqual(Array.from({ length: 6 }, () => Math.fround(rng.normal() * 0.5)));
    expect(Array.from(randn([4], new Rng(9)).data)).toEqual(Array.from(randn([4], new Rng(9)).data));
  });
});

describe("isContiguous and contiguous", () => {
  it("tells row-major gap-free views from the others", () => {
    const m = zeros([3, 4]);
    expect(isContiguous(m)).toBe(true);
    expect(isContiguous(m.lo(1, 0))).toBe(true); // trailing rows: offset only
    expect(isContiguous(m.pick(1, null))).toBe(true);
    expect(isContiguous(m.transpose(1, 0))).toBe(false);
    expect(isContiguous(m.hi(3, 2))).toBe(false); // column slice: rows have gaps
    expect(isContiguous(m.pick(null, 1))).toBe(false);
    expect(isContiguous(m.lo(0, 1).hi(1, 2))).toBe(true); // a single row is gap-free
  });

  it("returns a contiguous tensor itself and copies every other layout into row-major order", () => {
    const rng = new Rng(91);
    for (const layout of LAYOUTS_2D) {
      const r = randInt(rng, 1, 5), c = randInt(rng, 2, 5);
      const m = randomMatrix(rng, r, c);
      const t = layout.make(m, c);
      const flat = contiguous(t);
      if (isContiguous(t)) expect(flat).toBe(t);
      else expect(flat.data).not.toBe(t.data);
      expect(isContiguous(flat)).toBe(true);
      expect(toArray(flat)).toEqual(m);
    }
  });

  it("copies 3-D views in row-major order", () => {
    const t = tensor(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]).transpose(2, 0, 1); // [4, 2, 3]
    const flat = contiguous(t);
    expect(flat.shape).toEqual([4, 2, 3]);
    const want: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) want.push(t.get(i, j, k));
    expect(Array.from(flat.data)).toEqual(want);
  });
});

describe("shape helpers", () => {
  it("format, count and compare shapes", () => {
    expect(formatShape([3, 64])).toBe("[3, 64]");
    expect(formatShape([])).toBe("[]");
    expect(sizeOf([3, 64])).toBe(192);
    expect(sizeOf([])).toBe(1);
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([6], [6, 1])).toBe(false);
  });

  it("assertShape accepts -1 as any size and names the tensor in its message", () => {
    expect(() => assertShape("op", "w", zeros([5, 64]), [-1, 64])).not.toThrow();
    expectError(() => assertShape("layerNorm", "weight", zeros([63]), [64]), ShapeError, "layerNorm: weight has the wrong shape; got weight [63], expected weight [64]");
    expectError(() => assertShape("op", "w", zeros([5, 63]), [-1, 64]), ShapeError, "op: w has the wrong shape; got w [5, 63], expected w [n, 64]");
    expectError(() => assertShape("op", "w", zeros([64]), [-1, 64]), ShapeError, "op: w has the wrong shape; got w [64], expected w [n, 64]");
  });

  it("ShapeError keeps its parts for callers", () => {
    const e = new ShapeError("matmul", "inner dimensions differ", "a [3, 64] and b [32, 16]", "b [64, n]");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("ShapeError");
    expect([e.op, e.problem, e.actual, e.expected]).toEqual(["matmul", "inner dimensions differ", "a [3, 64] and b [32, 16]", "b [64, n]"]);
  });
});
