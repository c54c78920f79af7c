import { describe, expect, it } from "vitest";
import type { TokenEvent } from "@tinylm/model";
import { makeConfig, recomputeStepFlops } from "@tinylm/model";
import { formatDuration, ProgressLine, remainingMs } from "./progress.js";

const event = (index: number, ms: number, position = 3 + index): TokenEvent => ({
  id: 0, word: "the", index, position, ms, cacheBytes: { allocated: 0, used: 0 },
});

describe("remainingMs", () => {
  it("is steps x step time when steps cost the same (a cache)", () => {
    expect(remainingMs(() => 2, 10, 20, 1)).toBe(20);
    expect(remainingMs(() => 2, 20, 20, 1)).toBe(0);
  });

  it("sums a cost that grows with the position (no cache)", () => {
    // Σ_{t=101}^{200} 0.03·t = 451.5
    expect(remainingMs((t) => t, 100, 200, 0.03)).toBeCloseTo(451.5, 9);
  });
});

describe("formatDuration", () => {
  it.each([
    [400, "<1 s"], [42_000, "42 s"], [185_000, "3 min 5 s"], [3_720_000, "1 h 2 min"],
  ])("formats %d ms as %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("ProgressLine", () => {
  it("draws nothing for runs shorter than the interval, so clear() writes nothing", () => {
    const written: string[] = [];
    let t = 0;
    const line = new ProgressLine((s) => written.push(s), 10, () => t);
    for (let i = 0; i < 10; i++, t += 5) line.onToken(event(i, 5));
    line.clear();
    expect(written).toEqual([]);
  });

  it("rewrites one line in place at most every 100 ms and erases it at the end", () => {
    const written: string[] = [];
    let t = 0;
    const line = new ProgressLine((s) => written.push(s), 100, () => t);
    for (let i = 0; i < 50; i++) {
      t += 10; // 10 ms per token: 100 tok/s
      line.onToken(event(i, 10));
    }
    expect(written).toHaveLength(5); // at 100, 200, 300, 400, 500 ms
    expect(written[4]).toBe("\rgenerating: 50/100 tokens, 100.0 tok/s, about <1 s left\x1b[K");
    line.clear();
    expect(written.at(-1)).toBe("\r\x1b[K");
  });

  it("predicts a longer wait when step times grow with position", () => {
    const flat: string[] = [];
    const growing: string[] = [];
    let t = 0;
    const a = new ProgressLine((s) => flat.push(s), 2000, () => t, 0);
    const b = new ProgressLine((s) => growing.push(s), 2000, () => t, 0, (p) => p);
    for (let i = 0; i < 100; i++, t++) {
      a.onToken(event(i, 20));
      b.onToken(event(i, 0.2 * (3 + i))); // 20 ms at position 100, growing linearly
    }
    expect(flat.at(-1)).toContain("about 38 s left"); // 1900 steps x 20 ms
    // the steps still to come cost Σ_{p=103}^{2002} 0.2·p ms = 399,950 ms; a flat estimate would say ~38 s
    const [, min, sec] = /about (\d+) min (\d+) s left/.exec(growing.at(-1) ?? "") ?? [];
    const estimate = (Number(min) * 60 + Number(sec)) * 1000;
    expect(estimate / 399_950).toBeGreaterThan(0.8);
    expect(estimate / 399_950).toBeLessThan(1.25);
  });

  it("keeps the time left steady for `none` at a long context, from the cost model, despite noisy steps", () => {
    // `none` at context 10,000: each step recomputes the sequence, so its time follows recomputeStepFlops
    // (linear, then quadratic in t); the measured times jitter by ±30%
    const config = makeConfig({ contextLength: 10_000 });
    const cost = (p: number): number => recomputeStepFlops(config, p);
    const jitter = (i: number): number => 1 + 0.3 * Math.sin(i * 12.9898) ;
    const steps = Array.from({ length: 3000 }, (_, i) => 2e-6 * cost(3 + i) * jitter(i));
    const lines: string[] = [];
    let now = 0;
    const line = new ProgressLine((s) => lines.push(s), steps.length, () => now, 1000, cost);
    const truth: number[] = [];
    steps.forEach((ms, i) => {
      now += ms;
      const before = lines.length;
      line.onToken(event(i, ms));
      if (lines.length > before) truth.push(steps.slice(i + 1).reduce((x, y) => x + y, 0));
    });
    const seconds = lines.map((l) => {
      const [, h, m, s] = /about (?:(\d+) h )?(?:(\d+) min )?(\d+)? ?s? ?left/.exec(l) ?? [];
      return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
    });
    expect(lines.length).toBeGreaterThan(10);
    seconds.forEach((estimate, k) => {
      if (truth[k]! < 10_000) return; // the last few seconds round coarsely
      expect(estimate / (truth[k]! / 1000)).toBeGreaterThan(0.75);
      expect(estimate / (truth[k]! / 1000)).toBeLessThan(1.33);
    });
  });
});
