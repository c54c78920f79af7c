import { describe, expect, it } from "vitest";
import type { TokenEvent } from "@tinylm/model";
import { estimateRemainingMs, formatDuration, ProgressLine } from "./progress.js";

const event = (index: number, ms: number, position = 3 + index): TokenEvent => ({
  id: 0, word: "the", index, position, ms, cacheBytes: { allocated: 0, used: 0 },
});

describe("estimateRemainingMs", () => {
  it("is steps x step time when steps cost the same (a cache)", () => {
    expect(estimateRemainingMs(2, 10, 20, 0)).toBe(20);
    expect(estimateRemainingMs(2, 20, 20, 0)).toBe(0);
  });

  it("integrates a step time that grows linearly with position (no cache)", () => {
    // step at p costs 3·p/100 ms; ∫ from 100 to 200 of 0.03·p dp = 0.015·(200² − 100²) = 450
    expect(estimateRemainingMs(3, 100, 200, 1)).toBeCloseTo(450, 9);
    // the sum it stands for: Σ_{p=101}^{200} 0.03·p = 451.5
    expect(Math.abs(estimateRemainingMs(3, 100, 200, 1) - 451.5)).toBeLessThan(2);
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
    const b = new ProgressLine((s) => growing.push(s), 2000, () => t, 0);
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
});
