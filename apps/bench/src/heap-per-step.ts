// JS heap bytes allocated per call of a step function, measured so that a garbage collection cannot hide
// (or fake) allocations. heapUsed only counts what is live, so a collection between the two readings makes
// the difference meaningless: each trial starts right after a full collection, reads heapUsed before and
// after `steps` calls, and is kept only if no collection ran in between. Collections are seen through
// PerformanceObserver "gc" entries (every scavenge and mark-compact), which arrive asynchronously, hence the
// awaits. A trial with a collection is retried with half the steps. The result is the median of the kept
// trials, in bytes per call (NaN if every trial saw a collection). `setup` runs before each trial (outside
// the count), e.g. to refill a cache to the measured length.
import { PerformanceObserver } from "node:perf_hooks";
import { collectGarbage } from "./gc.js";

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

export async function heapBytesPerStep(step: () => void, steps: number, setup: () => void = () => {}, trials = 5): Promise<number> {
  let collections = 0;
  const observer = new PerformanceObserver((list) => void (collections += list.getEntries().length));
  observer.observe({ entryTypes: ["gc"] });
  const kept: number[] = [];
  try {
    for (let n = steps, tries = 0; kept.length < trials && tries < 4 * trials; tries++) {
      setup();
      collectGarbage();
      await flush(); // the forced collection's entry arrives here, before the baseline
      const seen = collections;
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < n; i++) step();
      const after = process.memoryUsage().heapUsed;
      await flush();
      if (collections === seen) kept.push((after - before) / n);
      else n = Math.max(10, n >> 1);
    }
  } finally {
    observer.disconnect();
  }
  if (kept.length === 0) return NaN;
  return [...kept].sort((a, b) => a - b)[kept.length >> 1]!;
}
