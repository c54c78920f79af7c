import { describe, expect, it } from "vitest";
import { add, fromArray, Rng, scale, ShapeError, toArray, zeros } from "../index.js";
import {
  expectError, expectOnlyViewWritten, LAYOUTS_2D, OUT_LAYOUTS, randInt, randomMatrix, read2d,
} from "../reference.test-utils.js";

// Each result is one float64 operation on float32 inputs, rounded once: the naive reference is exact.
const f = Math.fround;

describe("add, scale", () => {
  it("compute hand cases", () => {
    expect(toArray(add(fromArray([[1, 2]]), fromArray([[10, 20]])))).toEqual([[11, 22]]);
    expect(toArray(scale(fromArray([1, -2]), 0.5))).toEqual([0.5, -1]);
  });

  it("match the naive elementwise reference for every layout, with `out` views and in place", () => {
    const rng = new Rng(81);
    LAYOUTS_2D.forEach((la, i) => {
      const lb = LAYOUTS_2D[(i + 1) % LAYOUTS_2D.length]!, lo = OUT_LAYOUTS[i % OUT_LAYOUTS.length]!;
      const r = randInt(rng, 1, 5), c = randInt(rng, 1, 7), s = f(rng.normal());
      const a = randomMatrix(rng, r, c), b = randomMatrix(rng, r, c);
      const cases = [
        { run: (out?: ReturnType<typeof zeros>) => add(la.make(a, c), lb.make(b, c), out), want: a.map((x, p) => x.map((v, q) => f(v + b[p]![q]!))) },
        { run: (out?: ReturnType<typeof zeros>) => scale(la.make(a, c), s, out), want: a.map((x) => x.map((v) => f(v * s))) },
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
    });
  });

  it("reject shapes that differ, naming the operand", () => {
    expectError(() => add(zeros([2, 3]), zeros([3, 2])), ShapeError, "add: shapes differ; got a [2, 3] and b [3, 2], expected b [2, 3]");
    expectError(() => add(zeros([2, 3]), zeros([2, 3]), zeros([2, 4])), ShapeError, "add: shapes differ; got a [2, 3] and out [2, 4], expected out [2, 3]");
    expectError(() => scale(zeros([2, 3]), 2, zeros([3])), ShapeError, "scale: shapes differ; got a [2, 3] and out [3], expected out [2, 3]");
  });
});
