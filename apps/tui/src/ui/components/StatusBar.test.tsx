import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import type { Run } from "../lib/run-record.js";
import { StatusBar } from "./StatusBar.js";

const run: Run = {
  id: 1,
  prompt: ["the", "cat", "sat"],
  context: [],
  words: ["on", "a"],
  stats: {
    cache: "full", count: 20, computeMs: 10, recentMs: 0.5, position: 23, limit: 32,
    cacheBytes: { allocated: 49152, used: 35328 }, latencies: [0.5, 0.5, 1],
  },
};

describe("<StatusBar />", () => {
  it("shows the run's tokens, speed, time per token, position and the cache's memory", () => {
    // tok/s is the decode rate: the 3 latencies after the prefill, 2 ms for 3 tokens
    const { lastFrame } = render(<StatusBar cache="full" preview={null} run={run} running={false} sparkMax={1} columns={100} />);
    const frame = lastFrame() ?? "";
    expect(frame).toMatch(/cache full\s+mem 34\.5 KiB of 48\.0 KiB\s+tokens 20\s+tok\/s \(mean\) 1,500\s+per token \(last 8\) 0\.500 ms\s+pos 23\/32/);
    expect(frame).toContain("latency ▅▅█ top 1.00 ms (p90)");
  });

  it("before any run, shows the selected strategy's empty cache and its limit", () => {
    const preview = { bytes: { allocated: 0, used: 0 }, limit: Infinity };
    const { lastFrame } = render(<StatusBar cache="sliding-window" preview={preview} run={null} running={false} sparkMax={0} columns={100} />);
    expect(lastFrame()).toMatch(/cache sliding-window\s+mem 0 B\s+tokens 0\s+tok\/s \(mean\) –\s+per token \(last 8\) –\s+pos 0\/∞/);
    expect(lastFrame()).toContain("no tokens yet");
  });

  it("says which strategy the last run used once another one is selected", () => {
    const preview = { bytes: { allocated: 0, used: 0 }, limit: 32 };
    const { lastFrame } = render(<StatusBar cache="none" preview={preview} run={run} running={false} sparkMax={1} columns={100} />);
    expect(lastFrame()).toMatch(/cache none\s+mem 0 B\s+last run full\s+tokens 20/);
  });

  it("wraps onto more lines instead of overflowing a narrow terminal", () => {
    const { lastFrame } = render(<StatusBar cache="full" preview={null} run={run} running={false} sparkMax={1} columns={40} />);
    const lines = (lastFrame() ?? "").split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(40);
  });
});
