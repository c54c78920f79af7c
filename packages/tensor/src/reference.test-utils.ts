// Test helpers (not built, not exported): random data from the seeded Rng, the same logical matrix laid
// out as many different ndarray views, NaN-padded so a kernel that reads outside its view shows it, and
// comparisons with explicit tolerances. The naive references live in each op's test file.
import { afterAll, beforeAll, expect } from "vitest";
import { getBackend, setBackend, type BackendName } from "./backend/backend.js";
import { Rng } from "./rng.js";
import { zeros, type Tensor } from "./tensor.js";

export type Matrix = number[][];
export type Vector = number[];

/** Integer in [lo, hi] (both inclusive). */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.uniform() * (hi - lo + 1));
}

/** rows x cols float32-representable N(0, scale²) values. */
export function randomMatrix(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  return Array.from({ length: rows }, () => randomVector(rng, cols, scale));
}

export function randomVector(rng: Rng, n: number, scale = 1): Vector {
  return Array.from({ length: n }, () => Math.fround(rng.normal() * scale));
}

/** A padded buffer of the given shape, every entry NaN (reads outside a view turn results into NaN). */
function padded(shape: number[]): Tensor {
  const t = zeros(shape);
  t.data.fill(Number.NaN);
  return t;
}

function fill(view: Tensor, m: Matrix): Tensor {
  m.forEach((row, i) => row.forEach((v, j) => view.set(i, j, v)));
  return view;
}

/** One way to lay out a logical [rows, cols] matrix in memory. */
export interface Layout2d {
  readonly name: string;
  readonly make: (m: Matrix, cols: number) => Tensor;
}

/** `cols` is passed explicitly so that 0-row matrices keep their width. */
export const LAYOUTS_2D: readonly Layout2d[] = [
  { name: "contiguous", make: (m, c) => fill(zeros([m.length, c]), m) },
  { name: "transposed (.transpose(1, 0))", make: (m, c) => fill(padded([c, m.length]).transpose(1, 0), m) },
  { name: "sliced (.lo/.hi)", make: (m, c) => fill(padded([m.length + 3, c + 2]).lo(2, 1).hi(m.length, c), m) },
  { name: "stepped (.step(2, 3))", make: (m, c) => fill(padded([2 * m.length, 3 * c]).step(2, 3), m) },
  { name: "reversed rows (.step(-1, 1))", make: (m, c) => fill(padded([m.length, c]).step(-1, 1), m) },
  { name: "picked from 3-D (.pick(1, null, null))", make: (m, c) => fill(padded([3, m.length, c]).pick(1, null, null), m) },
  {
    name: "transposed and sliced",
    make: (m, c) => fill(padded([c + 2, m.length + 4]).lo(1, 3).hi(c, m.length).transpose(1, 0), m),
  },
];

/** One way to lay out a logical vector. */
export interface Layout1d {
  readonly name: string;
  readonly make: (v: Vector) => Tensor;
}

function fill1(view: Tensor, v: Vector): Tensor {
  v.forEach((x, i) => view.set(i, x));
  return view;
}

export const LAYOUTS_1D: readonly Layout1d[] = [
  { name: "contiguous", make: (v) => fill1(zeros([v.length]), v) },
  { name: "sliced (.lo/.hi)", make: (v) => fill1(padded([v.length + 3]).lo(2).hi(v.length), v) },
  { name: "stepped (.step(3))", make: (v) => fill1(padded([3 * v.length]).step(3), v) },
  { name: "reversed (.step(-1))", make: (v) => fill1(padded([v.length]).step(-1), v) },
  { name: "picked row (.pick(1, null))", make: (v) => fill1(padded([3, v.length]).pick(1, null), v) },
  { name: "picked column (.pick(null, 2))", make: (v) => fill1(padded([v.length, 4]).pick(null, 2), v) },
];

/** Sentinel written around output views; an op must leave it alone. */
export const SENTINEL = -7777;

/** An output view of shape [rows, cols] inside a larger sentinel-filled buffer. */
export interface OutLayout {
  readonly name: string;
  readonly make: (rows: number, cols: number) => Tensor;
}

function sentinelFilled(shape: number[]): Tensor {
  const t = zeros(shape);
  t.data.fill(SENTINEL);
  return t;
}

export const OUT_LAYOUTS: readonly OutLayout[] = [
  { name: "column slice of a wider matrix", make: (r, c) => sentinelFilled([r, c + 5]).lo(0, 2).hi(r, c) },
  { name: "rows and columns slice", make: (r, c) => sentinelFilled([r + 2, c + 3]).lo(1, 1).hi(r, c) },
  { name: "transposed", make: (r, c) => sentinelFilled([c, r]).transpose(1, 0) },
  { name: "stepped (.step(2, 2))", make: (r, c) => sentinelFilled([2 * r, 2 * c]).step(2, 2) },
];

/** Storage indices that the view covers. */
function covered(view: Tensor): Set<number> {
  const at = new Set<number>();
  const walk = (axis: number, base: number): void => {
    for (let i = 0; i < view.shape[axis]!; i++) {
      const p = base + i * view.stride[axis]!;
      if (axis === view.shape.length - 1) at.add(p);
      else walk(axis + 1, p);
    }
  };
  if (view.shape.every((s) => s > 0)) walk(0, view.offset);
  return at;
}

/** Asserts every storage entry outside `view` still holds SENTINEL. */
export function expectOnlyViewWritten(view: Tensor): void {
  const inside = covered(view);
  const touched: number[] = [];
  view.data.forEach((v, i) => {
    if (!inside.has(i) && v !== SENTINEL) touched.push(i);
  });
  expect(touched, "storage indices written outside the view").toEqual([]);
}

/** Logical contents of a 2-D view as plain numbers. */
export function read2d(t: Tensor): Matrix {
  return Array.from({ length: t.shape[0]! }, (_, i) => Array.from({ length: t.shape[1]! }, (_, j) => t.get(i, j)));
}

export function read1d(t: Tensor): Vector {
  return Array.from({ length: t.shape[0]! }, (_, i) => t.get(i));
}

/**
 * Asserts |got - want| <= tol(i, j) everywhere (NaN in `got` always fails). Lists the first mismatches.
 */
export function expectClose2d(got: Tensor, want: Matrix, tol: (i: number, j: number) => number): void {
  expect(got.shape).toEqual([want.length, want[0]?.length ?? got.shape[1]]);
  const bad: string[] = [];
  want.forEach((row, i) =>
    row.forEach((w, j) => {
      const g = got.get(i, j);
      if (!(Math.abs(g - w) <= tol(i, j)) && bad.length < 5) bad.push(`[${i}, ${j}]: got ${g}, want ${w} ± ${tol(i, j)}`);
    }),
  );
  expect(bad).toEqual([]);
}

export function expectClose1d(got: Tensor, want: Vector, tol: (i: number) => number): void {
  expect(got.shape).toEqual([want.length]);
  const bad: string[] = [];
  want.forEach((w, i) => {
    const g = got.get(i);
    if (!(Math.abs(g - w) <= tol(i)) && bad.length < 5) bad.push(`[${i}]: got ${g}, want ${w} ± ${tol(i)}`);
  });
  expect(bad).toEqual([]);
}

/** Asserts `fn` throws an instance of `cls` whose message is exactly `message` (string) or matches it. */
export function expectError(fn: () => unknown, cls: abstract new (...args: never[]) => Error, message: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  const text = (caught as Error).message;
  if (typeof message === "string") expect(text).toBe(message);
  else expect(text).toMatch(message);
}

/**
 * Runs the enclosing describe block's tests under the named kernel backend (ops with a wasm kernel, such
 * as linear and layerNorm, are tested under both). The test script builds the wasm module first.
 */
export function useBackend(name: BackendName): void {
  let before: BackendName = "js";
  beforeAll(() => {
    before = getBackend();
    setBackend(name);
  });
  afterAll(() => setBackend(before));
}

export const BACKENDS: readonly BackendName[] = ["js", "wasm"];
