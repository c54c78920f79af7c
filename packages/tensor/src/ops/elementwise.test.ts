import { describe, expect, it } from "vitest";
import { add, addRow, fromArray, relu, Rng, scale, ShapeError, toArray, zeros } from "../index.js";
import {
  expectError, expectOnlyViewWritten, LAYOUTS_1D, LAYOUTS_2D, OUT_LAYOUTS, randInt, randomMatrix, randomVector, read2d,
} from "../reference.test-utils.js";

// Each result is one float64 operation on float32 inputs, rounded once: the naive reference is exact.
const f = Math.fround;

describe("add, scale, relu, addRow", () => {
  it("compute hand cases", () => {
    expect(toArray(add(fromArray([[1, 2]]), fromArray([[10, 20]])))).toEqual([[11, 22]]);
    expect(toArray(scale(fromArray([1, -2]), 0.5))).toEqual([0.5, -1]);
    expect(toArray(relu(fromArray([-1, 0, 2])))).toEqual([0, 0, 2]);
    expect(toArray(addRow(fromArray([[1, 2], [3, 4]]), fromArray([10, 20])))).toEqual([[11, 22], [13, 24]]);
  });

  it("match the naive elementwise reference for every layout, with `out` views and in place", () => {
    const rng = new Rng(81);
    LAYOUTS_2D.forEach((la, i) => {
      const lb = LAYOUTS_2D[(i + 1) % LAYOUTS_2D.length]!, lo = OUT_LAYOUTS[i % OUT_LAYOUTS.length]!;
      const lbias = LAYOUTS_1D[i % LAYOUTS_1D.length]!;
      const r = randInt(rng, 1, 5), c = randInt(rng, 1, 7), s = f(rng.normal());
      const a = randomMatrix(rng, r, c), b = randomMatrix(rng, r, c), bias = randomVector(rng, c);
      const cases = [
        { run: (out?: ReturnType<typeof zeros>) => add(la.make(a, c), lb.make(b, c), out), want: a.map((x, p) => x.map((v, q) => f(v + b[p]![q]!))) },
        { run: (out?: ReturnType<typeof zeros>) => scale(la.make(a, c), s, out), want: a.map((x) => x.map((v) => f(v * s))) },
        { run: (out?: ReturnType<typeof zeros>) => relu(la.make(a, c), out), want: a.map((x) => x.map((v) => Math.max(v, 0))) },
        { run: (out?: ReturnType<typeof zeros>) => addRow(la.make(a, c), lbias.make(bias), out), want: a.map((x) => x.map((v, q) => f(v + bias[q]!))) },
      ];
      for (const { run, want } of cases) {
        expect(read2d(run())).toEqual(want);
        const out = lo.make(r, c);
        expect(run(out)).toBe(out);
        expect(read2d(out)).toEqual(want);
        expectOnlyViewWritten(out);
      }
      // in place: out is the first operand
      const x = la.make(a, c);
      add(x, lb.make(b, c), x);
      expect(read2d(x)).toEqual(cases[0]!.want);
      const y = la.make(a, c);
      relu(y, y);
      expect(read2d(y)).toEqual(cases[2]!.want);
    });
  });

  it("reject shapes that differ, naming the operand", () => {
    expectError(() => add(zeros([2, 3]), zeros([3, 2])), ShapeError, "add: shapes differ; got a [2, 3] and b [3, 2], expected b [2, 3]");
    expectError(() => add(zeros([2, 3]), zeros([2, 3]), zeros([2, 4])), ShapeError, "add: shapes differ; got a [2, 3] and out [2, 4], expected out [2, 3]");
    expectError(() => scale(zeros([2, 3]), 2, zeros([3])), ShapeError, "scale: shapes differ; got a [2, 3] and out [3], expected out [2, 3]");
    expectError(() => relu(zeros([4]), zeros([5])), ShapeError, "relu: shapes differ; got a [4] and out [5], expected out [4]");
    expectError(() => addRow(zeros([2, 3]), zeros([3]), zeros([3, 3])), ShapeError, "addRow: shapes differ; got x [2, 3] and out [3, 3], expected out [2, 3]");
    expectError(() => addRow(zeros([2, 3]), zeros([2])), ShapeError, "addRow: bias has the wrong shape; got bias [2], expected bias [3]");
    expectError(() => addRow(zeros([3]), zeros([3])), ShapeError, "addRow: x must be 2-D; got x [3], expected x [rows, cols]");
  });
});
