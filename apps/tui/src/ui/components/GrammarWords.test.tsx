import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import type { Run } from "../lib/run-record.js";
import { GrammarWords } from "./GrammarWords.js";
import { StatusBar } from "./StatusBar.js";

const stats = {
  cache: "full", count: 5, computeMs: 1, recentMs: 0.1, position: 7, limit: 32,
  cacheBytes: { allocated: 100, used: 50 }, latencies: [0.1],
};

describe("the first ungrammatical word", () => {
  it("is named in the status line (readable without colour)", () => {
    const broken: Run = { id: 1, prompt: ["the", "cat"], words: ["sat", "and", "the", "dog", "runs"], stats };
    const frame = render(<StatusBar cache="full" preview={null} run={broken} running={false} sparkMax={1} columns={200} />).lastFrame() ?? "";
    expect(frame).toContain('grammar breaks at "dog" (word 4, 80% ok)');
    const fine: Run = { ...broken, words: ["sat", "and", "the", "cat", "runs"] };
    expect(render(<StatusBar cache="full" preview={null} run={fine} running={false} sparkMax={1} columns={200} />).lastFrame()).toContain("grammar ok (100%)");
  });

  it("is shown in place among the words", () => {
    expect(render(<GrammarWords words={["sat", "and", "the", "dog"]} firstError={3} />).lastFrame()).toBe(" sat and the dog");
    expect(render(<GrammarWords words={["dog", "runs"]} firstError={0} />).lastFrame()).toBe(" dog runs");
    expect(render(<GrammarWords words={[]} firstError={null} />).lastFrame()).toBe("");
  });
});
