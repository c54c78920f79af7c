import { describe, expect, it } from "vitest";
import { fromArray, linear, matmul, Rng, ShapeError, sliceRows, toArray, zeros, type Tensor } from "../index.js";
import {
  BACKENDS, expectClose2d, expectError, expectOnlyViewWritten, LAYOUTS_1D, LAYOUTS_2D, OUT_LAYOUTS, randInt, randomMatrix,
  randomVector, read2d, useBackend, type Matrix, type Vector,
} from "../reference.test-utils.js";

/** Naive a · b in float64, plus Σ|a_ip·b_pj| per entry (the scale of the rounding error). */
function naiveMatmul(a: Matrix, b: Matrix, n: number): { value: Matrix; absSum: Matrix } {
  const value = a.map(() => new Array<number>(n).fill(0));
  const absSum = a.map(() => new Array<number>(n).fill(0));
  a.forEach((aRow, i) => {
    for (let j = 0; j < n; j++) {
      aRow.forEach((x, p) => {
        value[i]![j]! += x * b[p]![j]!;
        absSum[i]![j]! += Math.abs(x * b[p]![j]!);
      });
    }
  });
  return { value, absSum };
}

const transpose = (m: Matrix, cols: number): Matrix => Array.from({ length: cols }, (_, j) => m.map((r) => r[j]!));

/** Float32 results carry ~6e-8 relative error per operation; 1e-5 of Σ|terms| bounds it for k <= 100. */
const REL = 1e-5;

/** Same bits, entry by entry (Float32Array equality is exact; -0 and 0 differ). */
const bits = (t: Tensor): number[][] => read2d(t).map((r) => r.map((v) => new Uint32Array(new Float32Array([v]).buffer)[0]!));

describe("matmul", () => {
  it("multiplies a hand case exactly", () => {
    const c = matmul(fromArray([[1, 2], [3, 4]]), fromArray([[5, 6], [7, 8]]));
    expect(toArray(c)).toEqual([[19, 22], [43, 50]]);
  });

  it("matches a naive float64 reference for every pair of operand layouts on random shapes", () => {
    const rng = new Rng(1);
    for (const la of LAYOUTS_2D) {
      for (const lb of LAYOUTS_2D) {
        const m = randInt(rng, 1, 7), k = randInt(rng, 1, 9), n = randInt(rng, 1, 7);
        const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n);
        const ref = naiveMatmul(a, b, n);
        const c = matmul(la.make(a, k), lb.make(b, n));
        expectClose2d(c, ref.value, (i, j) => REL * ref.absSum[i]![j]!);
      }
    }
  });

  it("rounds the float64 ascending-k sum once, so it equals that sum exactly (both loop orders)", () => {
    const rng = new Rng(2);
    for (let trial = 0; trial < 20; trial++) {
      const m = randInt(rng, 1, 6), k = randInt(rng, 1, 70), n = randInt(rng, 1, 6);
      const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n);
      const want = naiveMatmul(a, b, n).value.map((r) => r.map(Math.fround));
      const contiguousB = LAYOUTS_2D[0]!.make(b, n);
      const transposedB = LAYOUTS_2D[1]!.make(b, n);
      expect(read2d(matmul(LAYOUTS_2D[0]!.make(a, k), contiguousB))).toEqual(want);
      expect(read2d(matmul(LAYOUTS_2D[0]!.make(a, k), transposedB))).toEqual(want);
    }
  });

  it("gives bit-identical rows whether a row is computed alone or with other rows (decode vs prefill)", () => {
    const rng = new Rng(3);
    const [m, k, n] = [9, 64, 20];
    const a = zeros([m, k]);
    a.data.set(randomMatrix(rng, m, k).flat());
    const values = randomMatrix(rng, k, n);
    const rowMajor = LAYOUTS_2D[0]!.make(values, n); // the i-k-j loop
    const keysT = LAYOUTS_2D[0]!.make(transpose(values, n), k).transpose(1, 0); // keys [S, dh] read transposed: dot products
    for (const b of [rowMajor, keysT]) {
      const all = bits(matmul(a, b));
      for (let i = 0; i < m; i++) expect(bits(matmul(sliceRows(a, i, i + 1), b))[0]).toEqual(all[i]);
      expect(bits(matmul(sliceRows(a, 2, 7), b))).toEqual(all.slice(2, 7));
    }
  });

  it("gives bit-identical results for both loop orders (b row-contiguous vs b a transposed view)", () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 20; trial++) {
      const m = randInt(rng, 1, 8), k = randInt(rng, 1, 80), n = randInt(rng, 2, 24);
      const a = LAYOUTS_2D[0]!.make(randomMatrix(rng, m, k, 3), k);
      const values = randomMatrix(rng, k, n, 3);
      const rowContiguous = LAYOUTS_2D[0]!.make(values, n); // stride [n, 1]: the i-k-j loop
      const transposed = LAYOUTS_2D[0]!.make(transpose(values, n), k).transpose(1, 0); // stride [1, k]: dot products
      expect(rowContiguous.stride[1]).toBe(1);
      expect(transposed.stride[0]).toBe(1);
      expect(bits(matmul(a, rowContiguous))).toEqual(bits(matmul(a, transposed)));
    }
  });

  it("writes only into an `out` view (column slice, sub-block, transposed, stepped) and returns it", () => {
    const rng = new Rng(5);
    for (const layout of OUT_LAYOUTS) {
      const m = randInt(rng, 1, 6), k = randInt(rng, 1, 9), n = randInt(rng, 1, 6);
      const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n);
      const out = layout.make(m, n);
      const ref = naiveMatmul(a, b, n);
      expect(matmul(LAYOUTS_2D[0]!.make(a, k), LAYOUTS_2D[1]!.make(b, n), out)).toBe(out);
      expectClose2d(out, ref.value, (i, j) => REL * ref.absSum[i]![j]!);
      expectOnlyViewWritten(out);
    }
  });

  it("returns zeros for an empty inner dimension, overwriting what `out` held", () => {
    const out = fromArray([[9, 9, 9], [9, 9, 9]]);
    matmul(zeros([2, 0]), zeros([0, 3]), out);
    expect(toArray(out)).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it("names both shapes when the inner dimensions differ", () => {
    expectError(() => matmul(zeros([3, 64]), zeros([32, 16])), ShapeError, /matmul: inner dimensions differ; got a \[3, 64\] and b \[32, 16\]/);
    expectError(() => matmul(zeros([3, 64]), zeros([32, 16])), ShapeError, "matmul: inner dimensions differ; got a [3, 64] and b [32, 16], expected b [64, n]");
  });

  it("rejects operands that are not 2-D and an `out` of the wrong shape", () => {
    expectError(() => matmul(zeros([64]), zeros([64, 2])), ShapeError, "matmul: a must be 2-D; got a [64], expected a [rows, cols]");
    expectError(() => matmul(zeros([2, 4]), zeros([4, 2, 1])), ShapeError, "matmul: b must be 2-D; got b [4, 2, 1], expected b [rows, cols]");
    expectError(() => matmul(zeros([3, 4]), zeros([4, 16]), zeros([3, 15])), ShapeError, "matmul: out has the wrong shape; got out [3, 15], expected out [3, 16]");
  });
});

/** Naive x · weightᵀ + bias in float64, with the error scale per entry. */
function naiveLinear(x: Matrix, weight: Matrix, bias: Vector | undefined): { value: Matrix; absSum: Matrix } {
  const outF = weight.length;
  const { value, absSum } = naiveMatmul(x, transpose(weight, x[0]?.length ?? 0), outF);
  if (bias) {
    value.forEach((r, i) => r.forEach((_, j) => {
      r[j]! += bias[j]!;
      absSum[i]![j]! += Math.abs(bias[j]!);
    }));
  }
  return { value, absSum };
}

describe.each(BACKENDS)("linear (%s backend)", (backend) => {
  useBackend(backend);

  it("computes x · Wᵀ + b for a hand case", () => {
    const y = linear(fromArray([[1, 2, 3]]), fromArray([[1, 0, 0], [0, 1, 1]]), fromArray([10, 20]));
    expect(toArray(y)).toEqual([[11, 25]]);
  });

  it("matches a naive float64 reference for every layout of x, weight and bias on random shapes", () => {
    const rng = new Rng(11);
    LAYOUTS_2D.forEach((lx, ix) => {
      LAYOUTS_2D.forEach((lw, iw) => {
        const T = randInt(rng, 1, 7), inF = randInt(rng, 1, 70), outF = randInt(rng, 1, 9);
        const x = randomMatrix(rng, T, inF), w = randomMatrix(rng, outF, inF, 0.2);
        const withBias = (ix + iw) % 3 !== 0;
        const bias = withBias ? randomVector(rng, outF) : undefined;
        const lb = LAYOUTS_1D[(ix + iw) % LAYOUTS_1D.length]!;
        const ref = naiveLinear(x, w, bias);
        const y = linear(lx.make(x, inF), lw.make(w, inF), bias && lb.make(bias));
        expectClose2d(y, ref.value, (i, j) => REL * ref.absSum[i]![j]!);
      });
    });
  });

  it("writes only into an `out` view (column slice, sub-block, transposed, stepped) and returns it", () => {
    const rng = new Rng(12);
    for (const layout of OUT_LAYOUTS) {
      const T = randInt(rng, 1, 6), inF = randInt(rng, 1, 40), outF = randInt(rng, 1, 9);
      const x = randomMatrix(rng, T, inF), w = randomMatrix(rng, outF, inF), bias = randomVector(rng, outF);
      const out = layout.make(T, outF);
      const ref = naiveLinear(x, w, bias);
      expect(linear(LAYOUTS_2D[0]!.make(x, inF), LAYOUTS_2D[0]!.make(w, inF), LAYOUTS_1D[0]!.make(bias), out)).toBe(out);
      expectClose2d(out, ref.value, (i, j) => REL * ref.absSum[i]![j]!);
      expectOnlyViewWritten(out);
    }
  });

  it("gives bit-identical rows whether a row is computed alone or with other rows (decode vs prefill)", () => {
    const rng = new Rng(13);
    const [T, inF, outF] = [11, 64, 128];
    const x = LAYOUTS_2D[0]!.make(randomMatrix(rng, T, inF), inF);
    const w = LAYOUTS_2D[0]!.make(randomMatrix(rng, outF, inF, 0.1), inF);
    const b = LAYOUTS_1D[0]!.make(randomVector(rng, outF));
    const all = bits(linear(x, w, b));
    for (let i = 0; i < T; i++) expect(bits(linear(sliceRows(x, i, i + 1), w, b))[0]).toEqual(all[i]);
    expect(bits(linear(sliceRows(x, 3, 10), w, b))).toEqual(all.slice(3, 10));
    const out = OUT_LAYOUTS[0]!.make(T, outF);
    expect(bits(linear(x, w, b, out))).toEqual(all);
  });

  it("names both shapes when the input features differ", () => {
    expectError(() => linear(zeros([3, 64]), zeros([16, 32])), ShapeError, "linear: input features differ; got x [3, 64] and weight [16, 32], expected weight [out, 64]");
  });

  it("rejects operands that are not 2-D, a bias of the wrong length and an `out` of the wrong shape", () => {
    expectError(() => linear(zeros([64]), zeros([16, 64])), ShapeError, "linear: x must be 2-D; got x [64], expected x [rows, cols]");
    expectError(() => linear(zeros([2, 64]), zeros([64])), ShapeError, "linear: weight must be 2-D; got weight [64], expected weight [rows, cols]");
    expectError(() => linear(zeros([2, 64]), zeros([16, 64]), zeros([64])), ShapeError, "linear: bias has the wrong shape; got bias [64], expected bias [16]");
    expectError(() => linear(zeros([2, 64]), zeros([16, 64]), zeros([16]), zeros([16, 2])), ShapeError, "linear: out has the wrong shape; got out [16, 2], expected out [2, 16]");
  });
});

describe("linear loop orders (JS kernel)", () => {
  useBackend("js");

  it("gives the same bits for a row-major weight [out, in] and a transposed view of a [in, out] one", () => {
    const rng = new Rng(14);
    for (let trial = 0; trial < 10; trial++) {
      const T = randInt(rng, 1, 6), inF = randInt(rng, 1, 70), outF = randInt(rng, 2, 20);
      const x = LAYOUTS_2D[0]!.make(randomMatrix(rng, T, inF), inF);
      const w = randomMatrix(rng, outF, inF);
      const bias = LAYOUTS_1D[0]!.make(randomVector(rng, outF));
      const rowMajor = LAYOUTS_2D[0]!.make(w, inF);
      const fromTransposed = LAYOUTS_2D[0]!.make(transpose(w, inF), outF).transpose(1, 0);
      expect(bits(linear(x, rowMajor, bias))).toEqual(bits(linear(x, fromTransposed, bias)));
    }
  });
});
