import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import type { FinishedRun, Run } from "../lib/run-record.js";
import { LiveRun, Transcript, type TranscriptItem } from "./Transcript.js";

const stats = { cache: "none", count: 3, computeMs: 6, recentMs: 2, position: 5, limit: 32, cacheBytes: { allocated: 0, used: 0 }, latencies: [2, 2] };

describe("<Transcript />", () => {
  it("prints the welcome, finished runs with their numbers, and notes", () => {
    const run: FinishedRun = {
      id: 1, prompt: ["a", "dog"], context: [], words: ["runs", "on", "a"], stats,
      stopReason: "aborted", stopMessage: "stopped after 3 tokens: aborted", msPerToken: 2, prefillMs: 2,
    };
    const items: TranscriptItem[] = [
      { id: "welcome", kind: "welcome" },
      { id: "run-1", kind: "run", run },
      { id: "note-0", kind: "note", text: "model rebuilt (seed 0): context 64" },
    ];
    const { lastFrame } = render(<Transcript items={items} />);
    const frame = lastFrame() ?? "";
    expect(frame).toContain("knows 20 words: the cat dog sat");
    expect(frame).toContain("› a dog runs on a");
    expect(frame).toContain("none · 3 tokens · median 2.00 ms/token · mean 500 tok/s · stopped after 3 tokens: aborted");
    expect(frame).toContain("model rebuilt (seed 0): context 64");
  });
});

describe("<LiveRun />", () => {
  it("shows the prompt and the words so far", () => {
    const run: Run = { id: 1, prompt: ["the", "cat"], context: [], words: ["sat", "on"], stats };
    expect(render(<LiveRun run={run} columns={100} />).lastFrame()).toContain("› the cat sat on ▍");
  });

  it("keeps only the tail of a long run, saying how many words it hides", () => {
    const words = Array.from({ length: 500 }, (_, i) => (i === 499 ? "tree" : "house"));
    const run: Run = { id: 1, prompt: ["the", "cat"], context: [], words, stats };
    const frame = render(<LiveRun run={run} columns={40} />).lastFrame() ?? "";
    expect(frame.split("\n").length).toBeLessThanOrEqual(5);
    expect(frame).toMatch(/› the cat …4\d\d more… house/);
    expect(frame).toContain("tree ▍");
  });
});
