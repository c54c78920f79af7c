// The one-query split's watch: windows of 32 splits where the workers ran at least 1/8 of the chunks never
// pause it; a window under that, or a late worker, pauses it for 64 attentions, doubling with each failing
// window in a row up to 4,096; a window where the workers helped starts over at 64.
import { describe, expect, it } from "vitest";
import { SplitWatch } from "./split-watch.js";

/** Splits allowed in a row until the watch says no, up to `most`. */
function allowed(w: SplitWatch, most: number): number {
  let n = 0;
  while (n < most && w.allows()) n++;
  return n;
}

/** The attentions a pause keeps on the calling thread (the first refusal included), then allowed again. */
function pauseLength(w: SplitWatch): number {
  let n = 1; // the refusal that ended allowed()
  while (!w.allows()) n++;
  return n;
}

/** A window of 32 splits of 8 chunks, the workers running `byWorkers` chunks of each. */
const window = (w: SplitWatch, byWorkers: number): void => {
  for (let s = 0; s < 32; s++) w.record(byWorkers, 8, false);
};

describe("SplitWatch", () => {
  it("keeps splitting while the workers run at least 1/8 of the chunks", () => {
    const w = new SplitWatch();
    for (let k = 0; k < 10; k++) window(w, 1);
    expect(allowed(w, 10_000)).toBe(10_000);
  });

  it("pauses for 64 attentions after a window under 1/8, doubling while they keep failing, up to 4,096", () => {
    const w = new SplitWatch();
    const lengths: number[] = [];
    for (let k = 0; k < 9; k++) {
      window(w, 0);
      expect(allowed(w, 10_000)).toBe(0);
      lengths.push(pauseLength(w));
    }
    expect(lengths).toEqual([64, 128, 256, 512, 1024, 2048, 4096, 4096, 4096]);
  });

  it("starts over at 64 after a window where the workers helped", () => {
    const w = new SplitWatch();
    for (let k = 0; k < 3; k++) {
      window(w, 0);
      pauseLength(w);
    }
    window(w, 4);
    expect(allowed(w, 100)).toBe(100);
    window(w, 0);
    expect(allowed(w, 100)).toBe(0);
    expect(pauseLength(w)).toBe(64);
  });

  it("judges a window at once when a worker was late, and a window of 31 splits not yet", () => {
    const w = new SplitWatch();
    for (let s = 0; s < 31; s++) w.record(0, 8, false);
    expect(allowed(w, 100)).toBe(100);
    w.record(8, 8, true);
    expect(allowed(w, 100)).toBe(0);
    expect(pauseLength(w)).toBe(64);
  });
});
