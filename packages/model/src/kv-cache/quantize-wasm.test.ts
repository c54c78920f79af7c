// The kernel program's quantization (KernelProgram.quantizeToRow, the wasm the int8 decode step runs) gives
// quantize.ts's bits, in both kernel builds: per row (values, per-token keys) and per channel over a group
// of KEY_GROUP positions (per-channel keys, via their float residual), on random rows of several
// magnitudes, on ties (x / scale exactly k + 0.5: Math.round's, toward +infinity, not round-half-even),
// zero rows, -0, and rows holding a NaN or an infinity.
import { afterAll, describe, expect, it } from "vitest";
import { backendInfo, allocFloat32, allocInt8, fromArray, kernelZeros, KernelProgram, Rng, setFma, type Tensor } from "@tinylm/tensor";
import { kernelBuilds } from "../kernel-builds.test-utils.js";
import { KEY_GROUP } from "./options.js";
import { quantizeColumns, quantizeRow } from "./quantize.js";

const initial = backendInfo();
afterAll(() => setFma(initial.fma));
const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const halves = (j: number): number => (j % 2 === 0 ? 1 : -1) * (Math.floor(j / 2) + 0.5); // 0.5, -0.5, 1.5, -1.5, …

/** Rows of width d that exercise every branch of the rounding. */
function testRows(d: number): number[][] {
  const rng = new Rng(11);
  const rows: number[][] = [];
  for (const s of [1, 1e-3, 37, 1e-30, 3e35]) for (let i = 0; i < 8; i++) rows.push(Array.from({ length: d }, () => s * rng.normal()));
  rows.push(Array.from({ length: d }, (_, j) => (j === 5 ? 50 : rng.normal()))); // an outlier
  // ties: with max 127 the scale is 1 and x / scale = x; with max 63.5 it is 0.5 and x / scale = 2x
  rows.push(Array.from({ length: d }, (_, j) => (j === 0 ? 127 : halves(j))));
  rows.push(Array.from({ length: d }, (_, j) => (j === 0 ? -63.5 : halves(j) / 2)));
  rows.push(Array.from({ length: d }, (_, j) => (j === 0 ? 127 * 2 ** -20 : halves(j) * 2 ** -20)));
  rows.push(Array.from({ length: d }, () => 0));
  rows.push(Array.from({ length: d }, (_, j) => (j % 3 === 0 ? -0 : 0)));
  rows.push(Array.from({ length: d }, (_, j) => (j === 9 ? NaN : rng.normal())));
  rows.push(Array.from({ length: d }, (_, j) => (j === 9 ? Infinity : j === 10 ? -Infinity : rng.normal())));
  rows.push(Array.from({ length: d }, (_, j) => (j === 3 ? 1e-45 : 0))); // a denormal: the scale rounds to 0
  return rows;
}

/** Runs a program quantizing src into position p of dst for each p, src holding x's row p then. */
function quantizeEach(x: Tensor, dst: Parameters<KernelProgram["quantizeToRow"]>[1]): void {
  const d = x.shape[1]!, src = kernelZeros([1, d]), p = KernelProgram.create(1)!;
  expect(p.quantizeToRow(src, dst)).toBe(true);
  for (let i = 0; i < x.shape[0]!; i++) {
    src.data.set(x.data.subarray(i * d, (i + 1) * d), src.offset);
    p.run(0, 1, i);
  }
  p.dispose();
}

describe.each(kernelBuilds().flatMap((fma) => [64, 13].map((d) => [fma, d] as const)))("wasm quantization against quantize.ts, fma %s, width %i (four lanes at a time, and one by one)", (fma, d) => {
  const rows = testRows(d), R = rows.length, x = fromArray(rows); // [R, d]

  it("per row: the int8 rows and scales of quantizeRow", () => {
    setFma(fma);
    const want = { data: new Int8Array(R * d), scales: new Float32Array(R) };
    for (let i = 0; i < R; i++) want.scales[i] = quantizeRow(x, i, want.data, i * d);
    for (const keys of [{ data: allocInt8(R * d), scales: allocFloat32(R), group: 0 }, { data: allocInt8(R * d), scales: allocFloat32(R) }]) {
      keys.data.fill(99); // every byte is written
      quantizeEach(x, keys);
      expect(bytes(keys.data).equals(bytes(want.data))).toBe(true);
      expect(Array.from(keys.scales)).toEqual(Array.from(want.scales)); // Object.is: every scale to the bit, NaN equal to NaN
    }
    const ties = want.data.subarray((R - 8) * d, (R - 7) * d); // max 127: q = Math.round(x) of -0.5, 1.5, -1.5, 2.5, -2.5, 3.5
    expect(Array.from(ties.subarray(1, 7))).toEqual([0, 2, -1, 3, -2, 4]);
  });

  it("per channel: each full group's int8 rows and column scales of quantizeColumns, the float rows of the group not yet full", () => {
    setFma(fma);
    const G = KEY_GROUP, N = 4 * G + 5, n = 4 * G; // four full groups, then 5 float rows
    // a group of ties (column max 127 or 63.5: scale 1 or 0.5, x / scale = k + 0.5); a group whose columns
    // are zeros, or zeros and one denormal (scale 0: zeros), or normal; then the rows in an order mixing
    // every kind (ties, NaN, zeros, magnitudes) into each group
    const tie = (r: number, c: number): number => (r === 0 ? (c % 2 === 0 ? 127 : -63.5) : halves(r + c) / (c % 2 === 0 ? 1 : 2));
    const sparse = (r: number, c: number): number => (c % 3 === 0 ? 0 : c % 3 === 1 ? (r === c % G ? (c % 2 ? 1e-45 : -1e-45) : 0) : halves(r) * c);
    const y = fromArray(Array.from({ length: N }, (_, i) => (i < 2 * G ? Array.from({ length: d }, (_, c) => (i < G ? tie(i, c) : sparse(i - G, c))) : rows[(i * 5) % R]!)));
    const want = { data: new Int8Array(N * d), scales: new Float32Array(Math.ceil(N / G) * d) };
    for (let g = 0; g < n; g += G) quantizeColumns(y.data.subarray(g * d, (g + G) * d), G, d, want.data, g * d, want.scales, (g / G) * d);
    const keys = { data: allocInt8(N * d), scales: allocFloat32(Math.ceil(N / G) * d), group: G, residual: kernelZeros([G, d]) };
    quantizeEach(y, keys);
    expect(bytes(keys.data.subarray(0, n * d)).equals(bytes(want.data.subarray(0, n * d)))).toBe(true);
    expect(Array.from(keys.scales.subarray(0, (n / G) * d))).toEqual(Array.from(want.scales.subarray(0, (n / G) * d)));
    expect(bytes(keys.residual.data.subarray(0, (N - n) * d)).equals(bytes(y.data.subarray(n * d, N * d)))).toBe(true);
    expect(keys.data.subarray(n * d).every((q) => q === 0)).toBe(true); // the group not yet full: not quantized
  });
});
