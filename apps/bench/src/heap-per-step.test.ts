// heapBytesPerStep counts what a step allocates, with no collection inside a counted trial. The target it
// serves (a cached decode step allocates no JS heap) is printed by the speed script, not asserted here: what
// a step allocates depends on whether V8 has optimized it yet, which depends on the machine's load.
import { describe, expect, it } from "vitest";
import { heapBytesPerStep } from "./heap-per-step.js";

let sink: unknown;

describe("heapBytesPerStep", () => {
  it("sees ~nothing for a step that allocates nothing", async () => {
    let n = 0;
    const bytes = await heapBytesPerStep(() => void (n += 1), 5000);
    expect(n).toBeGreaterThan(5000);
    expect(bytes).toBeLessThan(4);
  });

  it("sees an array's bytes for a step that allocates one (dropped at once: still counted)", async () => {
    const bytes = await heapBytesPerStep(() => void (sink = new Array(100).fill(0.5)), 2000);
    expect(bytes).toBeGreaterThan(800); // 100 doubles at 8 B, plus the array object
    expect(bytes).toBeLessThan(2000);
    expect(sink).toHaveLength(100);
  });
});
