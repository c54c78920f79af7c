// The speculative-decoding section: the closed forms, the verdict per k (faster, slower, or rounds that
// disagree), the figure, and the explanation generated from the numbers (which must change when they do).
// The measurement itself runs once on two small seeded models (its shape and its exactness check; no time
// is asserted).
import { makeConfig, TinyLM } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { buildReport } from "./report.js";
import {
  alphaFromRate, analyzeSpeculation, breakEvenAlpha, speculativeExplanation, speculativeFigure, speculativeLines, speculativeTable, tokensPerRound, verdictOf,
} from "./speculative-section.js";
import { measureSpeculation } from "./speculative.js";
import { syntheticResults, syntheticSpeculative } from "./synthetic.test-utils.js";

describe("the cost model's closed forms", () => {
  it("tokens per round: (1 − α^(k+1)) / (1 − α), and k + 1 for a draft always right", () => {
    for (const [a, k] of [[0.3, 1], [0.5, 4], [0.9, 8]] as const) expect(tokensPerRound(a, k)).toBeCloseTo((1 - a ** (k + 1)) / (1 - a), 12);
    expect(tokensPerRound(1, 4)).toBe(5);
    expect(tokensPerRound(0, 4)).toBe(1);
  });

  it("α from accepted ÷ proposed: the rate itself at k = 1; at k = 4 the α whose kept share is that rate", () => {
    expect(alphaFromRate(0.3, 1)).toBeCloseTo(0.3, 12);
    const rate = (0.5 + 0.25 + 0.125 + 0.0625) / 4; // α = 0.5
    expect(alphaFromRate(rate, 4)).toBeCloseTo(0.5, 12);
  });

  it("break-even α: where the tokens pay the round's cost; none when the round costs more than k + 1", () => {
    expect(breakEvenAlpha(1.75, 1)).toBeCloseTo(0.75, 12);
    expect(tokensPerRound(breakEvenAlpha(2.5, 3)!, 3)).toBeCloseTo(2.5, 12);
    expect(breakEvenAlpha(0.9, 2)).toBe(0);
    expect(breakEvenAlpha(4.01, 3)).toBeNull();
  });

  it("a verdict only where every round agrees", () => {
    expect(verdictOf([1.1, 1.3, 1.01])).toBe("faster");
    expect(verdictOf([0.5, 0.9, 0.99])).toBe("slower");
    expect(verdictOf([0.8, 1.2, 1.0])).toBe("undecided");
  });
});

describe("the section, from synthetic numbers", () => {
  it("analyzes: c from the passes, α from k = 1, speedups per round, the cost model", () => {
    const a = analyzeSpeculation(syntheticSpeculative("loses"));
    expect(a.c).toBeCloseTo(0.25, 12);
    expect(a.alpha).toBeCloseTo(0.3, 12);
    expect(a.points.map((p) => p.verdict)).toEqual(["slower", "slower", "slower"]);
    expect(a.points[0]!.speedups).toEqual([4 / 9, 4 / 8, 4 / 7]);
    expect(a.points[0]!.passCost).toBeCloseTo(1.5, 12);
    expect(a.points[0]!.predicted).toBeCloseTo(1.3 / 1.75, 12); // (1 + α) ÷ (c + C)
    expect(a.extraTokenCost).toBeCloseTo(0.5, 12); // (2.5 − 1) ÷ 3
  });

  it("loses: slower at every k in every round, and why (the passes are not memory-bound)", () => {
    const text = speculativeExplanation(syntheticSpeculative("loses")).join("\n");
    expect(text).toContain("<b>Speculative decoding was slower than plain decoding at every k, in every round</b>: the median speedup was 0.5× at k = 1 (rounds 0.444–0.571×)");
    expect(text).toContain("c = 0.25 of a target pass");
    expect(text).toContain("C = 1.5 single passes at k = 1 and 2.5 at k = 3");
    expect(text).toContain("0.743× at k = 1 (measured 0.5×)");
    expect(text).toContain("breaking even at k = 1 needs α ≥ 75% (this draft's is 30%)");
    expect(text).toContain("adds 0.5 of a single pass");
    expect(text).toContain("bound by arithmetic, not by reading the weights from memory");
    expect(text).not.toContain("rounds disagree");
    expect(text).not.toContain("was faster");
  });

  it("wins: faster at every k in every round, with the passes that make it possible", () => {
    const text = speculativeExplanation(syntheticSpeculative("wins")).join("\n");
    expect(text).toContain("<b>Speculative decoding was faster at k = 1, 2, 3, in every round</b>: best 1.43× at k = 1 (1.33–1.6× over the rounds)");
    expect(text).toContain("breaking even at k = 1 needs α ≥ 25% (this draft's is 90%)");
    expect(text).toContain("extra tokens ride along nearly free");
    expect(text).not.toContain("slower");
    expect(text).not.toContain("rounds disagree");
  });

  it("noise: where the rounds fall on both sides of 1×, it says so and claims nothing", () => {
    const r = syntheticSpeculative("noise");
    const text = speculativeExplanation(r).join("\n");
    expect(text).toContain("<b>Speculative decoding was faster at k = 2, 3, in every round</b>");
    expect(text).toContain("<b>At k = 1 the rounds disagree</b>: their speedups run from 0.8× to 1.33×, on both sides of 1×");
    expect(text).toContain("noise, not a result");
    expect(speculativeTable(r)).toContain("<td>rounds disagree</td>");
    expect(speculativeLines(r).join("\n")).toContain("rounds disagree");
    const losing = syntheticSpeculative("loses");
    const mixed = { ...losing, points: losing.points.map((p) => (p.k === 1 ? { ...p, ms: [3, 5, 4.2] } : p)) };
    const lines = speculativeExplanation(mixed).join("\n");
    expect(lines).toContain("<b>Speculative decoding was slower than plain decoding at k = 2, 3, in every round.</b> <b>At k = 1 the rounds disagree</b>");
    expect(lines).not.toContain("at every k");
  });

  it("warns when a speculative run's tokens differed from the plain run's", () => {
    const r = syntheticSpeculative("loses");
    const broken = { ...r, points: r.points.map((p) => (p.k === 2 ? { ...p, sameTokens: false } : p)) };
    expect(speculativeExplanation(broken).join("\n")).toContain("<b>Warning:</b> at k = 2 a speculative run generated different tokens");
    expect(speculativeExplanation(r).join("\n")).toContain("Every speculative run generated exactly the plain run's tokens");
  });

  it("draws speedup and acceptance against k: open markers where the rounds disagree, acceptance on the right axis", () => {
    const f = speculativeFigure(syntheticSpeculative("noise"));
    expect(f.id).toBe("plot-speculative");
    expect(f.data).toHaveLength(5);
    const measured = f.data[0]!;
    expect(measured["x"]).toEqual([1, 2, 3]);
    expect((measured["marker"] as { symbol: string[] }).symbol).toEqual(["circle-open", "circle", "circle"]);
    expect(f.data.filter((t) => t["yaxis"] === "y2")).toHaveLength(2);
    expect((f.data[3]!["y"] as number[])[0]).toBeCloseTo(90, 9); // greedy acceptance at k = 1, in %
  });

  it("is in the report after the quality section, with a link target; absent from older results", () => {
    const html = buildReport(syntheticResults(), "/* plotly */");
    expect(html).toContain(`<section class="row" id="speculative"><div class="plot" id="plot-speculative">`);
    expect(html.indexOf("plot-attention-mass")).toBeLessThan(html.indexOf("plot-speculative"));
    expect(buildReport({ ...syntheticResults(), speculative: null }, "/* plotly */")).not.toContain("plot-speculative");
  });
});

describe("measureSpeculation", () => {
  it("times every k beside a plain run, checks the tokens, and times the single passes", () => {
    const target = TinyLM.init(makeConfig({ contextLength: 64 }), { seed: 1 });
    const draft = TinyLM.init(makeConfig({ contextLength: 64, nLayers: 1 }), { seed: 2 });
    const r = measureSpeculation(target, draft, { prompt: "the cat sat", tokens: 12, rounds: 2, ks: [1, 3] });
    expect(r.points.map((p) => p.k)).toEqual([1, 3]);
    expect(r.position).toBe(3 + 6);
    expect(r.targetPassMs).toHaveLength(r.passRounds);
    for (const p of r.points) {
      expect(p.sameTokens).toBe(true);
      expect(p.ms).toHaveLength(2);
      expect(p.plainMs).toHaveLength(2);
      expect(p.passMs).toHaveLength(r.passRounds);
      expect(p.accepted).toBeLessThanOrEqual(p.proposed);
      expect(p.proposed).toBeGreaterThan(0);
      expect(p.accepted + p.targetPasses).toBeGreaterThanOrEqual(12); // every pass keeps its accepted proposals and one more token
    }
    expect(analyzeSpeculation(r).differing).toEqual([]);
  }, 120_000);
});
