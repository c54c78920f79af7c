import { describe, expect, it } from "vitest";
import { CAUSAL, fromArray, maskCausal, NumericError, Rng, ShapeError, softmax, toArray, zeros, type AttentionSpan } from "../index.js";
import {
  expectClose1d, expectClose2d, expectError, expectOnlyViewWritten, LAYOUTS_1D, LAYOUTS_2D, OUT_LAYOUTS, randInt, randomMatrix,
  randomVector, read2d, type Matrix, type Vector,
} from "../reference.test-utils.js";

/** Naive softmax of one row in float64 (max-subtracted; -Infinity entries give 0). */
function naiveSoftmax(row: Vector): Vector {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

/** Probabilities are <= 1; float32 storage and a float64 sum keep them within a few ulps of 1. */
const ATOL = 1e-6;

describe("softmax", () => {
  it("gives exactly [0.5, 0.5] for [1000, 1000] (no overflow)", () => {
    expect(toArray(softmax(fromArray([[1000, 1000]])))).toEqual([[0.5, 0.5]]);
    expect(toArray(softmax(fromArray([1000, 1000])))).toEqual([0.5, 0.5]);
    expect(toArray(softmax(fromArray([[-1000, -1000]])))).toEqual([[0.5, 0.5]]);
  });

  it("gives exact 0 for -Infinity entries and the softmax of the rest elsewhere", () => {
    const masked = toArray(softmax(fromArray([[1, -Infinity, 2, -Infinity]]))) as number[][];
    const rest = toArray(softmax(fromArray([[1, 2]]))) as number[][];
    expect(masked).toEqual([[rest[0]![0], 0, rest[0]![1], 0]]);
    expect(toArray(softmax(fromArray([-Infinity, 3])))).toEqual([0, 1]);
  });

  it("throws NumericError for a row whose every entry is masked", () => {
    const x = fromArray([[0, 1], [-Infinity, -Infinity], [2, 3]]);
    expectError(() => softmax(x), NumericError, "softmax: row 1 has every entry masked (-Infinity), so no probability is defined. Check the attention mask.");
  });

  it("throws NumericError for NaN and +Infinity instead of returning NaN", () => {
    expectError(() => softmax(fromArray([[0, 1], [Number.NaN, 1]])), NumericError, "softmax: row 1 contains NaN");
    expectError(() => softmax(fromArray([[Infinity, 1]])), NumericError, "softmax: row 0 contains +Infinity (an overflowed score), so the probabilities are undefined");
  });

  it("matches a naive float64 reference for every input and output layout on random shapes", () => {
    const rng = new Rng(21);
    LAYOUTS_2D.forEach((lx, ix) => {
      for (const lo of [undefined, ...OUT_LAYOUTS]) {
        const rows = randInt(rng, 1, 6), n = randInt(rng, 1, 12);
        const x = randomMatrix(rng, rows, n, 1 + 10 * ix); // up to ~60: exp would overflow without the max shift in float32
        const out = lo?.make(rows, n);
        const y = softmax(lx.make(x, n), out);
        if (out) {
          expect(y).toBe(out);
          expectOnlyViewWritten(out);
        }
        expectClose2d(y, x.map(naiveSoftmax), () => ATOL);
      }
    });
  });

  it("works on 1-D views of every layout, and in place", () => {
    const rng = new Rng(22);
    for (const layout of LAYOUTS_1D) {
      const v = randomVector(rng, randInt(rng, 1, 10), 5);
      const x = layout.make(v);
      expectClose1d(softmax(x), naiveSoftmax(v), () => ATOL);
      expect(softmax(x, x)).toBe(x);
      expectClose1d(x, naiveSoftmax(v), () => ATOL);
    }
  });

  it("works in place on 2-D views of every layout", () => {
    const rng = new Rng(23);
    for (const layout of LAYOUTS_2D) {
      const m = randomMatrix(rng, 3, 7, 4);
      const x = layout.make(m, 7);
      softmax(x, x);
      expectClose2d(x, m.map(naiveSoftmax), () => ATOL);
      read2d(x).forEach((r) => expect(Math.abs(r.reduce((s, v) => s + v, 0) - 1)).toBeLessThanOrEqual(1e-6));
    }
  });

  it("rejects ranks other than 1 and 2, and an `out` of another shape", () => {
    expectError(() => softmax(zeros([2, 2, 2])), ShapeError, "softmax: x must be 2-D; got x [2, 2, 2], expected x [rows, cols]");
    expectError(() => softmax(zeros([2, 3]), zeros([3, 2])), ShapeError, "softmax: out has the wrong shape; got out [3, 2], expected out [2, 3]");
    expectError(() => softmax(zeros([3]), zeros([5])), ShapeError, "softmax: out has the wrong shape; got out [5], expected out [3]");
    expectError(() => softmax(zeros([3]), zeros([1, 3])), ShapeError, "softmax: out has the wrong shape; got out [1, 3], expected out [3]");
  });
});

/**
 * The naive rule, spelled as sets: query q sees the keys in [q - window + 1, q] and the sinks [0, sinks),
 * and never a key after itself.
 */
function visibleKeys(q: number, span: AttentionSpan): (k: number) => boolean {
  const recentFrom = span.window === Infinity ? 0 : q - span.window + 1;
  const inRecent = (k: number): boolean => k >= recentFrom && k <= q;
  const inSinks = (k: number): boolean => k >= 0 && k < span.sinks && k <= q;
  return (k) => inRecent(k) || inSinks(k);
}

/** Scores laid out as every input layout, and as every output view (which must be the only part written). */
const SCORE_LAYOUTS = [
  ...LAYOUTS_2D.map((l) => ({ make: l.make, padded: false })),
  ...OUT_LAYOUTS.map((l) => ({
    make: (values: Matrix, cols: number) => {
      const t = l.make(values.length, cols);
      values.forEach((r, i) => r.forEach((v, j) => t.set(i, j, v)));
      return t;
    },
    padded: true,
  })),
];

describe("maskCausal", () => {
  it("masks a hand case: window 2 with 1 sink over positions 0..4", () => {
    const scores = zeros([5, 5]);
    maskCausal(scores, 0, [0, 1, 2, 3, 4], { window: 2, sinks: 1 });
    const X = -Infinity;
    expect(toArray(scores)).toEqual([
      [0, X, X, X, X],
      [0, 0, X, X, X],
      [0, 0, 0, X, X],
      [0, X, 0, 0, X],
      [0, X, X, 0, 0],
    ]);
  });

  it("is plain causal by default (decode: one query row over every cached key)", () => {
    const scores = fromArray([[1, 2, 3, 4]]);
    expect(maskCausal(scores, 2, [0, 1, 2, 3])).toBe(scores);
    expect(toArray(scores)).toEqual([[1, 2, 3, -Infinity]]);
    expect(CAUSAL).toEqual({ window: Infinity, sinks: 0 });
  });

  it("follows the naive window-and-sinks rule on random positions, spans and layouts, touching nothing else", () => {
    const rng = new Rng(31);
    const spans: AttentionSpan[] = [CAUSAL, { window: 1, sinks: 0 }, { window: 3, sinks: 0 }, { window: 4, sinks: 2 }, { window: 2, sinks: 5 }, { window: Infinity, sinks: 3 }];
    const seen = { sinkKept: 0, windowHidden: 0, futureHidden: 0 }; // every branch of the rule was exercised
    for (const span of spans) {
      for (const layout of SCORE_LAYOUTS) {
        const T = randInt(rng, 1, 5), queryStart = randInt(rng, 0, 12);
        // cached key positions: increasing, with gaps (an evicting cache), some possibly after the queries
        const positions: number[] = [];
        for (let p = 0; p < queryStart + T + 2; p++) if (rng.uniform() < 0.7) positions.push(p);
        if (positions.length === 0) positions.push(0);
        const S = positions.length;
        const values: Matrix = randomMatrix(rng, T, S);
        const scores = layout.make(values, S);
        maskCausal(scores, queryStart, [...positions, 999, 999], span); // extra positions beyond S are ignored
        const want = values.map((r, i) => r.map((v, j) => (visibleKeys(queryStart + i, span)(positions[j]!) ? v : -Infinity)));
        values.forEach((_, i) => positions.slice(0, S).forEach((k) => {
          const q = queryStart + i;
          if (k <= q && q - k >= span.window) seen[k < span.sinks ? "sinkKept" : "windowHidden"]++;
          if (k > q) seen.futureHidden++;
        }));
        expect(read2d(scores)).toEqual(want);
        if (layout.padded) expectOnlyViewWritten(scores);
      }
    }
    expect(Object.values(seen).every((n) => n > 10), JSON.stringify(seen)).toBe(true);
  });

  it("rejects fewer key positions than score columns, and scores that are not 2-D", () => {
    expectError(() => maskCausal(zeros([2, 3]), 0, [0, 1]), NumericError, "maskCausal: 2 key positions for 3 score columns; expected at least 3");
    expectError(() => maskCausal(zeros([4]), 0, [0, 1, 2, 3]), ShapeError, "maskCausal: scores must be 2-D; got scores [4], expected scores [rows, cols]");
  });
});
