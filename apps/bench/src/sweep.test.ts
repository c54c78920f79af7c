import { makeConfig, TinyLM } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { checkLength, describeTiming, planRuns, positionRunLength, runSweep, type BenchPlan } from "./sweep.js";

describe("the long runs' length and the check run's n", () => {
  it("goes on to the end of the context when that costs at most 10% more tokens, else stops at the largest n", () => {
    expect(positionRunLength(1000, 3, 1024)).toBe(1021); // the default sweep: plot 5 reaches context_length
    expect(positionRunLength(1000, 3, 1003)).toBe(1000); // already at the end
    expect(positionRunLength(100, 3, 1024)).toBe(100); // --quick stays quick
    expect(positionRunLength(1000, 3, 10_000)).toBe(1000); // a long --context-length is not swept to its end
    expect(positionRunLength(100, 3, 113)).toBe(110);
    expect(positionRunLength(100, 3, 114)).toBe(100);
  });

  it("checks a separate run at the first n >= half the largest", () => {
    expect(checkLength([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])).toBe(500);
    expect(checkLength([10, 20, 50, 100])).toBe(50);
    expect(checkLength([7])).toBe(7);
  });
});

const plan: BenchPlan = {
  prompt: "the cat sat", tokens: [5, 10, 20], positionTokens: 61, checkTokens: 10, repeats: 2, warmupTokens: 5,
  strategyLengths: [10, 20], kinds: ["none", "full", "int8"], cacheOptions: {},
};

describe("planRuns", () => {
  it("per repeat: the long none and full runs to positionTokens, then the separate check runs", () => {
    const runs = planRuns(plan).map((r) => `${r.phase} ${r.kind} ${r.tokens} ${r.repeat}`);
    expect(runs).toEqual([
      "warm-up none 5 0", "warm-up full 5 0", "warm-up int8 5 0",
      "sweep none 61 0", "sweep full 61 0", "check none 10 0", "check full 10 0",
      "sweep none 61 1", "sweep full 61 1", "check none 10 1", "check full 10 1",
      "strategies full 20 0", "strategies int8 20 0", "strategies full 20 1", "strategies int8 20 1", // interleaved, full among them
    ]);
  });

  it("says in the timing text how far the long runs went and which n is checked", () => {
    expect(describeTiming(plan, 3, 64)).toContain("continued to 61 tokens, to the last position of the context (context_length 64 − 3 prompt tokens)");
    expect(describeTiming({ ...plan, tokens: [5, 10, 61] }, 3, 64)).toContain("one long generation of 61 tokens, to the last position of the context");
    expect(describeTiming({ ...plan, positionTokens: 20 }, 3, 64)).toContain("so plot 5 stops at position 22");
    expect(describeTiming(plan, 3, 64)).toContain("a separate run of exactly n = 10 tokens");
  });
});

describe("runSweep on a small model (context_length 64)", () => {
  const model = TinyLM.init(makeConfig({ contextLength: 64 }), { seed: 2 });
  const out = runSweep(model, { ...plan, repeats: 1 });

  it("times every decode position up to the end of the context for none and full", () => {
    for (const kind of ["none", "full"] as const) {
      expect(out.positions[kind].position).toEqual(Array.from({ length: 60 }, (_, i) => 4 + i)); // 4 … 63 = C − 1
      expect(out.positions[kind].medianMs.every((ms) => ms > 0)).toBe(true);
    }
  });

  it("still reads the totals at the requested n only", () => {
    expect(out.sweep.n).toEqual([5, 10, 20]);
    for (const kind of ["none", "full"] as const) {
      const m = out.sweep[kind].medianMs;
      expect(m).toHaveLength(3);
      expect(m[0]! < m[1]! && m[1]! < m[2]!).toBe(true);
    }
    expect(out.sameTokens).toBe(true);
  });

  it("stores the long runs' clock at the check n beside separate runs of that length", () => {
    const c = out.separateRuns;
    expect(c.n).toBe(10);
    for (const kind of ["none", "full"] as const) {
      expect(c[kind].longRunMs).toBe(out.sweep[kind].medianMs[1]); // n = 10, one repeat: the same reading
      expect(c[kind].separateMs.median).toBeGreaterThan(0);
      expect(c[kind].sameTokens).toBe(true);
    }
  });

  it("measures the other strategies at the strategy lengths, none and full from the long runs", () => {
    expect(out.strategies.map((s) => `${s.kind} ${s.length}`)).toEqual(["none 10", "none 20", "full 10", "full 20", "int8 10", "int8 20"]);
  });
});
