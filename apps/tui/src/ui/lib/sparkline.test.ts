import { describe, expect, it } from "vitest";
import { resample, scaleTop, sparkGlyph, sparkline } from "./sparkline.js";

describe("sparkline", () => {
  it("maps 0 to the lowest glyph and the top of the scale to the highest", () => {
    expect(sparkGlyph(0, 8)).toBe("▁");
    expect(sparkGlyph(8, 8)).toBe("█");
    expect(sparkGlyph(4, 8)).toBe("▅"); // 4/8 × 7 = 3.5 rounds to level 4
    expect(sparkGlyph(20, 8)).toBe("█"); // above the scale is clipped
    expect(sparkGlyph(3, 0)).toBe("▁");
  });

  it("draws a short series point by point", () => {
    expect(sparkline([1, 2, 4, 8], { width: 4 })).toBe("▂▃▅█");
    expect(sparkline([], { width: 4 })).toBe("");
  });

  it("fits a long series into the width by averaging buckets, keeping its climb", () => {
    expect(resample([1, 3, 5, 7], 2)).toEqual([2, 6]);
    expect(resample([1, 2, 3, 4, 5], 2)).toEqual([1.5, 4]); // buckets of 2 and 3
    const ramp = Array.from({ length: 1000 }, (_, i) => i + 1);
    const line = sparkline(ramp, { width: 8 });
    expect(line).toHaveLength(8);
    expect(line).toBe("▁▂▃▄▅▆▇█");
  });

  it("keeps a flat series low on a scale shared with a larger one", () => {
    expect(sparkline([0.5, 0.5, 0.5], { width: 3, max: 10 })).toBe("▁▁▁");
    expect(sparkline([0.5, 0.5, 0.5], { width: 3 })).toBe("███");
  });

  it("tops the scale at the 90th percentile, so one pause does not flatten the rest", () => {
    const values = [1, 1, 1, 1, 1, 1, 1, 1, 1, 50];
    expect(scaleTop(values)).toBe(1);
    expect(scaleTop([3, 1, 2])).toBe(3);
    expect(scaleTop([])).toBe(0);
  });
});
