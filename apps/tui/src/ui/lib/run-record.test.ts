import type { GenerateResult, TokenEvent } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { RunRecorder, tokensPerSecond } from "./run-record.js";

const bytes = { allocated: 100, used: 10 };
const token = (index: number, ms: number, word = "cat"): TokenEvent => ({ id: 1, word, index, position: 3 + index, ms, cacheBytes: { allocated: 100, used: 10 * (index + 4) } });

describe("RunRecorder", () => {
  it("starts at the end of the prompt with no tokens", () => {
    const run = new RunRecorder(1, ["the", "cat", "sat"], "full", 32, bytes).snapshot();
    expect(run.words).toEqual([]);
    expect(run.stats).toMatchObject({ cache: "full", count: 0, position: 3, limit: 32, cacheBytes: bytes, latencies: [] });
    expect(run.stats.recentMs).toBeNaN();
    expect(tokensPerSecond(run.stats)).toBeNaN();
  });

  it("collects words, positions, cache memory and the latency of every token after the prefill", () => {
    const recorder = new RunRecorder(1, ["the"], "full", 32, bytes);
    [4, 1, 2, 3].forEach((ms, i) => recorder.onToken(token(i, ms, ["on", "a", "mat", "is"][i])));
    const { words, stats } = recorder.snapshot();
    expect(words).toEqual(["on", "a", "mat", "is"]);
    expect(stats.count).toBe(4);
    expect(stats.latencies).toEqual([1, 2, 3]);
    expect(stats.computeMs).toBe(10);
    expect(stats.recentMs).toBe(2.5);
    expect(stats.position).toBe(7); // the last token sat at position 6
    expect(stats.cacheBytes).toEqual({ allocated: 100, used: 70 });
    expect(tokensPerSecond(stats)).toBe(500); // decode: 3 tokens in 6 ms, the 4 ms prefill left out
    const first = new RunRecorder(2, ["the"], "full", 32, bytes);
    first.onToken(token(0, 4));
    expect(tokensPerSecond(first.snapshot().stats)).toBe(250); // only the prefill's token so far
  });

  it("averages the last 8 tokens for the time per token, and keeps every latency for the sparkline", () => {
    const recorder = new RunRecorder(1, ["the"], "none", 10_000, bytes);
    for (let i = 0; i < 1000; i++) recorder.onToken(token(i, i));
    const { stats } = recorder.snapshot();
    expect(stats.latencies).toHaveLength(999);
    expect(stats.latencies[0]).toBe(1);
    expect(stats.latencies.at(-1)).toBe(999);
    expect(stats.recentMs).toBe(995.5); // mean of 992..999
  });

  it("adds the stop reason and the loop's median time per token when the run ends", () => {
    const recorder = new RunRecorder(7, ["the"], "full", 32, bytes);
    recorder.onToken(token(0, 2));
    const result = { stopReason: "aborted", stopMessage: "stopped after 1 tokens: aborted", msPerToken: NaN, prefillMs: 2 } as GenerateResult;
    const done = recorder.finish(result);
    expect(done).toMatchObject({ id: 7, words: ["cat"], stopReason: "aborted", stopMessage: "stopped after 1 tokens: aborted", prefillMs: 2 });
  });
});
