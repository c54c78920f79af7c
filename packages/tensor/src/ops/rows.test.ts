import { describe, expect, it } from "vitest";
import { copyRows, fromArray, kernelZeros, Rng, ShapeError, sliceRows, toArray, zeros } from "../index.js";
import { expectError, expectOnlyViewWritten, LAYOUTS_2D, OUT_LAYOUTS, randInt, randomMatrix, read2d } from "../reference.test-utils.js";

describe("sliceRows", () => {
  it("is a view of rows start..end-1 that shares storage", () => {
    const x = fromArray([[0, 1], [2, 3], [4, 5], [6, 7]]);
    const s = sliceRows(x, 1, 3);
    expect(toArray(s)).toEqual([[2, 3], [4, 5]]);
    s.set(0, 1, 99);
    expect(x.get(1, 1)).toBe(99);
    expect(sliceRows(x, 4, 4).shape).toEqual([0, 2]);
  });

  it("matches naive row slicing on every layout", () => {
    const rng = new Rng(71);
    for (const layout of LAYOUTS_2D) {
      const T = randInt(rng, 1, 8), d = randInt(rng, 1, 6);
      const m = randomMatrix(rng, T, d);
      const start = randInt(rng, 0, T), end = randInt(rng, start, T);
      expect(read2d(sliceRows(layout.make(m, d), start, end))).toEqual(m.slice(start, end));
    }
  });

  it("rejects a row range out of bounds and x that is not 2-D", () => {
    const x = zeros([4, 2]);
    expectError(() => sliceRows(x, 3, 5), ShapeError, "sliceRows: row range out of bounds; got 3..5 of x [4, 2], expected 0 <= start <= end <= 4");
    expectError(() => sliceRows(x, 2, 1), ShapeError, "sliceRows: row range out of bounds; got 2..1 of x [4, 2], expected 0 <= start <= end <= 4");
    expectError(() => sliceRows(x, -1, 1), ShapeError, "sliceRows: row range out of bounds; got -1..1 of x [4, 2], expected 0 <= start <= end <= 4");
    expectError(() => sliceRows(x, 0.5, 1), ShapeError, "sliceRows: row range out of bounds; got 0.5..1 of x [4, 2], expected 0 <= start <= end <= 4");
    expectError(() => sliceRows(zeros([4]), 0, 1), ShapeError, "sliceRows: x must be 2-D; got x [4], expected x [rows, cols]");
  });
});

describe("copyRows", () => {
  it("copies src into rows at..at+T-1 of dst views, writing nothing else", () => {
    const rng = new Rng(73);
    LAYOUTS_2D.forEach((ls, i) => {
      const dstLayout = OUT_LAYOUTS[i % OUT_LAYOUTS.length]!;
      const C = randInt(rng, 1, 8), d = randInt(rng, 1, 6), T = randInt(rng, 1, C), at = randInt(rng, 0, C - T);
      const src = randomMatrix(rng, T, d);
      const dst = dstLayout.make(C, d);
      const before = read2d(dst);
      copyRows(ls.make(src, d), dst, at);
      expect(read2d(dst)).toEqual([...before.slice(0, at), ...src, ...before.slice(at + T)]);
      expectOnlyViewWritten(dst);
    });
  });

  it("copies between kernel-memory views (the native path), and overlapping rows of one matrix as the loop does", () => {
    const qkv = kernelZeros([3, 12]); // [T, 3d] with d = 4: k is columns 4..7
    qkv.data.forEach((_, i) => (qkv.data[i] = i));
    const cache = kernelZeros([6, 4]);
    copyRows(qkv.lo(0, 4).hi(3, 4), cache, 2);
    expect(read2d(cache)).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [4, 5, 6, 7], [16, 17, 18, 19], [28, 29, 30, 31], [0, 0, 0, 0]]);
    const m = kernelZeros([4, 2]);
    m.data.set([1, 2, 3, 4, 5, 6, 7, 8]);
    copyRows(m.hi(3, 2), m, 1); // overlapping, forward: each row copied in turn, as always
    expect(read2d(m)).toEqual([[1, 2], [1, 2], [1, 2], [1, 2]]);
  });

  it("copies strided kernel-memory rows in one kernel call as the reference loop does, one row or many", () => {
    const rng = new Rng(74);
    for (const T of [1, 2, 7, 40]) {
      const d = randInt(rng, 1, 9), C = T + randInt(rng, 0, 5), at = randInt(rng, 0, C - T);
      const wide = kernelZeros([T, 3 * d]), cache = kernelZeros([C, 2 * d]); // src: the middle third; dst: the right half
      wide.data.forEach((_, i) => (wide.data[i] = rng.uniform()));
      cache.data.forEach((_, i) => (cache.data[i] = -1 - i));
      const want = zeros([C, 2 * d]);
      want.data.set(cache.data);
      const src = wide.lo(0, d).hi(T, d);
      copyRows(src, want.lo(0, d).hi(C, d), at); // a view outside kernel memory: the reference loop
      copyRows(src, cache.lo(0, d).hi(C, d), at);
      expect(Array.from(cache.data)).toEqual(Array.from(want.data));
    }
  });

  it("rejects rows that do not fit, a fractional row and operands that are not 2-D", () => {
    const dst = zeros([4, 3]);
    expectError(() => copyRows(zeros([2, 3]), dst, 3), ShapeError, "copyRows: rows do not fit; got src [2, 3] at row 3 of dst [4, 3], expected dst [>= 5, 3]");
    expectError(() => copyRows(zeros([1, 2]), dst, 0), ShapeError, "copyRows: rows do not fit; got src [1, 2] at row 0 of dst [4, 3], expected dst [>= 1, 2]");
    expectError(() => copyRows(zeros([1, 3]), dst, -1), ShapeError, "copyRows: rows do not fit; got src [1, 3] at row -1 of dst [4, 3], expected dst [>= 0, 3]");
    expectError(() => copyRows(zeros([1, 3]), dst, 1.5), ShapeError, "copyRows: rows do not fit; got src [1, 3] at row 1.5 of dst [4, 3], expected dst [>= 2.5, 3]");
    expectError(() => copyRows(zeros([3]), dst, 0), ShapeError, "copyRows: src must be 2-D; got src [3], expected src [rows, cols]");
    expectError(() => copyRows(zeros([1, 3]), zeros([3]), 0), ShapeError, "copyRows: dst must be 2-D; got dst [3], expected dst [rows, cols]");
  });
});
