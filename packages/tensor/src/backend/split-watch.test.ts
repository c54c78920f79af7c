// The one-query split's watch: probes of 20 attentions (rounds of two on the calling thread, two split,
// the first of each two not counted) decide by median whether the next 192 split or not; the period doubles while probes find the
// split faster, up to 1,536, and starts over when the verdict changes; a verdict against the split holds 192; a late worker stops the
// split at once.
import { describe, expect, it } from "vitest";
import { PERIOD_MAX, PERIOD_MIN, PROBE_CALLS, SplitWatch } from "./split-watch.js";

/**
 * n one-query attentions as the dispatcher runs them, a probe's taking `alone` or `split` ms (or what
 * `time` gives for the k-th probe attention); the runs of what each did, as "probe 20", "split 192", "alone 384".
 */
function simulate(w: SplitWatch, n: number, alone: number, split: number, time?: (k: number, alone: boolean) => number): string[] {
  const runs: string[] = [];
  let last = "", count = 0, k = 0;
  for (let i = 0; i < n; i++) {
    const allowed = w.allows();
    let what: string;
    if (w.probing) {
      const a = w.probeAlone;
      w.timed(time ? time(k++, a) : a ? alone : split);
      what = "probe";
    } else what = allowed ? "split" : "alone";
    if (what !== last && count > 0) runs.push(`${last} ${count}`), (count = 0);
    last = what;
    count++;
  }
  runs.push(`${last} ${count}`);
  return runs;
}

describe("SplitWatch", () => {
  it("probes first, two attentions alone then two split, five rounds", () => {
    const w = new SplitWatch();
    const order: boolean[] = [];
    for (let i = 0; i < PROBE_CALLS; i++) {
      expect(w.allows()).toBe(true);
      expect(w.probing).toBe(true);
      order.push(w.probeAlone);
      w.timed(1);
    }
    expect(order).toEqual([true, true, false, false, true, true, false, false, true, true, false, false, true, true, false, false, true, true, false, false]);
    expect(w.probing).toBe(false);
  });

  it("splits while the split is faster, probing after 192, 384, … attentions, up to 1,536", () => {
    const runs = simulate(new SplitWatch(), 30_000, 10, 8);
    expect(runs.slice(0, 8)).toEqual(["probe 20", "split 192", "probe 20", "split 384", "probe 20", "split 768", "probe 20", "split 1536"]);
    expect(runs.filter((r) => r.startsWith("split")).map((r) => Number(r.split(" ")[1])).slice(0, 7)).toEqual([192, 384, 768, 1536, 1536, 1536, 1536]);
    expect(PERIOD_MIN).toBe(192);
    expect(PERIOD_MAX).toBe(1536);
  });

  it("runs on the calling thread when the split is slower, or faster by less than 3%", () => {
    expect(simulate(new SplitWatch(), 1000, 10, 11).slice(0, 4)).toEqual(["probe 20", "alone 192", "probe 20", "alone 192"]);
    expect(simulate(new SplitWatch(), 1000, 10, 9.8).slice(0, 2)).toEqual(["probe 20", "alone 192"]);
    expect(simulate(new SplitWatch(), 1000, 10, 9.6).slice(0, 2)).toEqual(["probe 20", "split 192"]);
  });

  it("probes again after 192 while the split is slower, so a split that pays again is found soon", () => {
    const w = new SplitWatch();
    expect(simulate(w, 4 * 212, 10, 11)).toEqual(["probe 20", "alone 192", "probe 20", "alone 192", "probe 20", "alone 192", "probe 20", "alone 192"]);
    expect(simulate(w, 20 + 192 + 20, 10, 8)).toEqual(["probe 20", "split 192", "probe 20"]);
  });

  it("starts over at 192 when the verdict changes", () => {
    const w = new SplitWatch();
    simulate(w, 20 + 192 + 20 + 384 + 20, 10, 8); // split for 192 and 384, the next probe done
    expect(simulate(w, 768 + 20 + 192 + 20, 10, 12)).toEqual(["split 768", "probe 20", "alone 192", "probe 20"]);
  });

  it("is not swayed by one slow round either way (a preemption)", () => {
    // round 2's split attentions take 1,000 ms: the median still splits
    const slowSplit = (k: number, alone: boolean) => (!alone && k >= 8 && k < 12 ? 1000 : alone ? 10 : 8);
    expect(simulate(new SplitWatch(), 212, 0, 0, slowSplit)).toEqual(["probe 20", "split 192"]);
    const slowAlone = (k: number, alone: boolean) => (alone && k < 4 ? 1000 : alone ? 10 : 12);
    expect(simulate(new SplitWatch(), 212, 0, 0, slowAlone)).toEqual(["probe 20", "alone 192"]);
  });

  it("does not count the first attention of each group (the workers waking up)", () => {
    const waking = (k: number, alone: boolean) => (alone ? 10 : k % 2 === 0 ? 1000 : 8);
    expect(simulate(new SplitWatch(), 212, 0, 0, waking)).toEqual(["probe 20", "split 192"]);
    const second = (k: number, alone: boolean) => (alone ? 10 : k % 2 === 0 ? 8 : 11);
    expect(simulate(new SplitWatch(), 212, 0, 0, second)).toEqual(["probe 20", "alone 192"]);
  });

  it("stops the split at once after a late worker, ending a probe; pauses double while they keep failing", () => {
    const w = new SplitWatch();
    simulate(w, 20 + 10, 10, 8); // splitting
    w.late();
    expect(w.pause).toBe(192);
    expect(simulate(w, 192, 10, 8)).toEqual(["alone 192"]);
    expect(w.allows()).toBe(true); // the next probe
    expect(w.probing).toBe(true);
    w.late(); // a worker late in the probe's split attention: no verdict, a longer pause
    expect(w.probing).toBe(false);
    expect(w.pause).toBe(384);
  });

  it("pause: 0 splits now without a probe, n keeps n attentions on the calling thread", () => {
    const w = new SplitWatch();
    w.pause = 0;
    expect(w.probing).toBe(false);
    expect(w.allows()).toBe(true);
    w.pause = 2;
    expect(w.pause).toBe(2);
    expect([w.allows(), w.allows()]).toEqual([false, false]);
    expect(w.pause).toBe(0);
    expect(w.allows()).toBe(true); // a probe starts
    expect(w.probing).toBe(true);
  });
});
