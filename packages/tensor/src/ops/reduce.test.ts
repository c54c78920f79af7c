import { describe, expect, it } from "vitest";
import { argmax, fromArray, Rng, ShapeError, zeros } from "../index.js";
import { expectError, LAYOUTS_1D, randInt } from "../reference.test-utils.js";

/** Naive argmax: the first index holding the maximum. */
const naiveArgmax = (v: number[]): number => v.indexOf(Math.max(...v));

describe("argmax", () => {
  it("breaks ties toward the lowest index", () => {
    expect(argmax(fromArray([1, 3, 3]))).toBe(1);
    expect(argmax(fromArray([5, 5, 5, 5]))).toBe(0);
    expect(argmax(fromArray([0, 2, 1, 2]))).toBe(1);
  });

  it("handles -Infinity (masked) entries and a single element", () => {
    expect(argmax(fromArray([-Infinity, -Infinity, -1e30]))).toBe(2);
    expect(argmax(fromArray([-Infinity, -Infinity]))).toBe(0);
    expect(argmax(fromArray([-4]))).toBe(0);
  });

  it("matches the naive first-maximum rule on every layout, with many ties", () => {
    const rng = new Rng(61);
    for (const layout of LAYOUTS_1D) {
      for (let trial = 0; trial < 30; trial++) {
        const v = Array.from({ length: randInt(rng, 1, 12) }, () => randInt(rng, -3, 3)); // few values: ties are common
        expect(argmax(layout.make(v))).toBe(naiveArgmax(v));
      }
    }
  });

  it("rejects anything but a non-empty 1-D tensor", () => {
    expectError(() => argmax(zeros([2, 3])), ShapeError, "argmax: expects a non-empty 1-D tensor; got [2, 3], expected [n] with n > 0");
    expectError(() => argmax(zeros([0])), ShapeError, "argmax: expects a non-empty 1-D tensor; got [0], expected [n] with n > 0");
  });
});
