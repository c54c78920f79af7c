import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatLimit, formatMs, formatRate } from "./format.js";

describe("format", () => {
  it("groups counts with commas", () => {
    expect(formatCount(105172)).toBe("105,172");
    expect(formatCount(0)).toBe("0");
  });

  it("shows bytes in binary units with three significant digits", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1024)).toBe("1.00 KiB");
    expect(formatBytes(49152)).toBe("48.0 KiB"); // full cache at the defaults: 2 × 3 layers × 32 × 64 × 4 bytes
    expect(formatBytes(15_360_000)).toBe("14.6 MiB");
    expect(formatBytes(NaN)).toBe("–");
  });

  it("shows milliseconds with more decimals the smaller they are", () => {
    expect(formatMs(0.0421)).toBe("0.042 ms");
    expect(formatMs(3.14159)).toBe("3.14 ms");
    expect(formatMs(52.34)).toBe("52.3 ms");
    expect(formatMs(512.4)).toBe("512 ms");
    expect(formatMs(2500)).toBe("2.50 s");
    expect(formatMs(NaN)).toBe("–");
  });

  it("shows rates without decimals past 10", () => {
    expect(formatRate(2466.9)).toBe("2,467");
    expect(formatRate(7.25)).toBe("7.3");
    expect(formatRate(NaN)).toBe("–");
  });

  it("writes an unbounded limit as ∞", () => {
    expect(formatLimit(32)).toBe("32");
    expect(formatLimit(Infinity)).toBe("∞");
  });
});
