import { makeConfig } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { stepMacs } from "@tinylm/model";
import { Progress, progressLine, stepWork } from "./progress.js";

describe("progressLine", () => {
  it("draws the bar, the percentage, the label and the time left", () => {
    expect(progressLine(0.25, "sweep none", 60_000, 8)).toBe("[##------]  25% · sweep none · 1m00s elapsed · ~3m00s left");
    expect(progressLine(1, "done", 5_000, 4)).toBe("[####] 100% · done · 5s elapsed · ~0s left");
  });
  it("does not guess the time left from too little", () => {
    expect(progressLine(0.005, "warm-up", 500, 4)).toBe("[----]   0% · warm-up · 1s elapsed · estimating time left…");
  });
});

describe("Progress", () => {
  const sink = () => {
    const lines: string[] = [];
    return { lines, out: { write: (s: string) => lines.push(s) } };
  };

  it("plain output: one line per run begun, then at most one every interval, and the last word", () => {
    let now = 0;
    const { lines, out } = sink();
    const p = new Progress(out, 100, false, () => now, 10_000);
    p.begin("run 1");
    now = 5_000;
    p.advance(50); // too soon for another line
    now = 12_000;
    p.advance(10);
    p.end("done");
    expect(lines).toEqual([
      "bench: [------------------------]   0% · run 1 · 0s elapsed · estimating time left…\n",
      "bench: [##############----------]  60% · run 1 · 12s elapsed · ~8s left\n",
      "done\n",
    ]);
  });

  it("on a terminal: redraws one line in place and clears it at the end", () => {
    let now = 0;
    const { lines, out } = sink();
    const p = new Progress(out, 10, true, () => now);
    p.begin("x");
    now = 50;
    p.advance(5); // within 100 ms: not redrawn
    now = 200;
    p.advance(0);
    p.end("ok");
    expect(lines).toHaveLength(4);
    expect(lines[0]!.startsWith("\r\x1b[2K[")).toBe(true);
    expect(lines[1]).toContain(" 50% · x");
    expect(lines.slice(2)).toEqual(["\r\x1b[2K", "ok\n"]);
  });
});

describe("stepWork", () => {
  it("weighs each step by the cost model (no cache vs cache) plus a fixed part", () => {
    const config = makeConfig();
    const none = stepWork(config, 3, { phase: "sweep", kind: "none", tokens: 3, repeat: 0 });
    const paged = stepWork(config, 3, { phase: "strategies", kind: "paged", tokens: 3, repeat: 0 });
    expect(none.map((w, i) => w - stepMacs(config, "none", 3, i))).toEqual([12_000, 12_000, 12_000]);
    expect(paged.map((w, i) => w - stepMacs(config, "cache", 3, i))).toEqual([12_000, 12_000, 12_000]);
  });
});
