import { describe, expect, it } from "vitest";
import { median, quantile, quartiles, spread, straddles } from "./stats.js";

describe("stats", () => {
  it("median of odd and even counts, NaN when empty", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
  });

  it("quantile takes the nearest rank of the sorted samples", () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(2);
    expect(quantile([4, 1, 3, 2], 0.75)).toBe(3);
    expect(quantile([5, 1, 4, 2, 3], 0)).toBe(1);
    expect(quantile([5, 1, 4, 2, 3], 1)).toBe(5);
  });

  it("repeats disagree about a limit between their quartiles, not about one outside them", () => {
    const q = quartiles([1.1, 1.2, 1.3, 1.4, 1.5]);
    expect(q).toEqual({ median: 1.3, p25: 1.2, p75: 1.4 });
    expect(straddles(q, 1.25)).toBe(true);
    expect(straddles(q, 1.4)).toBe(true);
    expect(straddles(q, 1.45)).toBe(false);
    expect(straddles(q, 1.15)).toBe(false);
  });
});
