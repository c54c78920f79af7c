// heapBytesPerStep counts what a step allocates, with no collection inside a counted trial. The targets it
// serves (a cached decode step allocates no JS heap) are printed by the speed script, not asserted here:
// what a step allocates depends on whether V8 has optimized it yet, which depends on the machine's load.
// So this checks only what holds at any load: a step that allocates is seen allocating, and the step ran.
import { describe, expect, it } from "vitest";
import { heapBytesPerStep } from "./heap-per-step.js";

let sink: unknown;

describe("heapBytesPerStep", () => {
  it("sees an array's bytes for a step that allocates one (dropped at once: still counted)", async () => {
    let n = 0;
    const bytes = await heapBytesPerStep(() => void ((sink = new Array(100).fill(0.5)), (n += 1)), 2000);
    expect(n).toBeGreaterThan(2000);
    expect(bytes).toBeGreaterThan(800); // 100 doubles at 8 B, plus the array object: at least that, at any load
    expect(sink).toHaveLength(100);
  });
});
