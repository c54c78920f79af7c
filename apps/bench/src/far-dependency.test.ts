// The far-dependency part of the strategy-quality section: where the probes put the topic (checked against
// the generator), the figure's traces, and the explanation generated from synthetic numbers: a model that
// learned the far rule, one that did not, a quick run with 10 probes, and a run where no probe fit.
import { EVAL_SEEDS, NOUNS, TextGenerator, type StrategyEval } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { farDependencyExplanation, farDependencyFigure, LAST_TOPIC_POSITION, readFarDependency, readWindowLabel, topicDistance } from "./far-dependency.js";
import { qualityTable, type QualityResults } from "./strategy-quality.js";
import { syntheticQuality } from "./synthetic.test-utils.js";

/** The synthetic section with these strategies' far-dependency shares (3 layers, `probes` probes, the topic `gap` words back). */
function withShares(shares: Record<string, number>, probes = 40, gap = 64): QualityResults {
  const base = syntheticQuality();
  const template = base.strategies[0]!;
  return {
    ...base,
    plan: { ...base.plan, probes, gap },
    strategies: Object.entries(shares).map(([label, farDependency]): StrategyEval => ({ ...template, label, kind: label.split(":")[0]!, farDependency })),
  };
}

/** The long model's measured shares (40 probes, the topic 64+ words back). */
const LEARNED = {
  full: 1, paged: 1, int8: 1,
  "sliding-window:16": 0.225, "sinks:16:4": 0.3, "sliding-window:16:cache": 0.025, "sinks:16:4:cache": 0.85,
  "sliding-window:64": 1, "sinks:64:4": 1, "sliding-window:64:cache": 0.675, "sinks:64:4:cache": 0.625,
  "sliding-window:256": 1,
};
const plain = (html: string): string => html.replace(/<\/?code>/g, "");

describe("the probes", () => {
  it("put the topic at position 1 or 2 and the query that names it at least gap + 2 positions after it", () => {
    for (const gap of [16, 64]) {
      const gen = new TextGenerator(EVAL_SEEDS.probes);
      const distances: number[] = [];
      for (let i = 0; i < 50; i++) {
        const { ids, topic } = gen.probe(gap);
        const at = ids.indexOf(topic);
        expect(at).toBeGreaterThanOrEqual(1);
        expect(at).toBeLessThanOrEqual(LAST_TOPIC_POSITION);
        expect(ids.lastIndexOf(topic)).toBe(at); // named once
        distances.push(ids.length - 1 - at);
      }
      expect(Math.min(...distances)).toBeGreaterThanOrEqual(topicDistance(gap));
    }
  });
});

describe("readWindowLabel", () => {
  it("reads the window strategies' labels and nothing else", () => {
    expect(readWindowLabel("sinks:64:4:cache")).toEqual({ window: 64, sinks: 4, cache: true, group: "sinks:W:4:cache" });
    expect(readWindowLabel("sliding-window:16")).toEqual({ window: 16, sinks: 0, cache: false, group: "sliding-window:W" });
    for (const label of ["full", "int8:channel", "paged:16", "sliding-window:16:4", "sinks:16"]) expect(readWindowLabel(label)).toBeNull();
  });
});

describe("the far-dependency figure", () => {
  it("draws the band where a guess lands, chance and full across the plot, then one bar trace per window strategy grouped by window", () => {
    const f = farDependencyFigure(withShares(LEARNED));
    expect(f.id).toBe("plot-far-dependency");
    const names = f.data.map((t) => t["name"]);
    expect(names).toEqual([
      "where a guess lands with 40 probes: 20% ± 13% (2 s.e.)", "chance: 1 of 5 nouns, 20%", "full (every position): 100%",
      "sliding-window:W", "sinks:W:4", "sliding-window:W:cache", "sinks:W:4:cache",
    ]);
    const margin = 2 * Math.sqrt(0.2 * 0.8 / 40);
    expect(f.data[0]!["y"]).toEqual([0.2 - margin, 0.2 - margin, 0.2 + margin, 0.2 + margin, 0.2 - margin]);
    expect(f.data[1]!["y"]).toEqual([1 / NOUNS.length, 1 / NOUNS.length]);
    expect(f.data[2]!["y"]).toEqual([1, 1]);
    const bars = (name: string) => f.data.find((t) => t["name"] === name)!;
    expect(bars("sliding-window:W")["x"]).toEqual(["W = 16<br>reach 3·15 = 45", "W = 64<br>reach 3·63 = 189", "W = 256<br>reach 3·255 = 765"]); // 3 layers
    expect(bars("sliding-window:W")["y"]).toEqual([0.225, 1, 1]);
    expect(bars("sinks:W:4:cache")["y"]).toEqual([0.85, 0.625]);
    expect(bars("sinks:W:4:cache")["text"]).toEqual(["85%", "63%"]);
    expect((f.layout["xaxis2"] as { categoryarray: string[] }).categoryarray).toHaveLength(3);
  });

  it("leaves out full's line when full was not measured, and draws no bar for a share that is NaN", () => {
    const f = farDependencyFigure(withShares({ full: NaN, "sliding-window:16": NaN }));
    expect(f.data.map((t) => String(t["name"])).filter((n) => n.startsWith("full"))).toEqual([]);
    expect(f.data.at(-1)!["y"]).toEqual([null]);
  });
});

describe("the far-dependency explanation", () => {
  it("learned: sorts the strategies by the band and full's share, credits the sinks and states the reach as necessary, not sufficient", () => {
    const [intro, kinds, sinks, reach] = farDependencyExplanation(withShares(LEARNED)).map(plain);
    expect(intro).toContain("Each of the 40 probes");
    expect(intro).toContain("at least 66 positions after it");
    expect(intro).toContain("chance is 1/5 = 20%");
    expect(intro).toContain("within ±13% of it");
    expect(intro).not.toContain("steps of");
    expect(kinds).toContain("names the topic in 100% of the probes: this model learned the far rule");
    expect(kinds).toContain("keeping the topic: full, paged, int8, sliding-window:64, sinks:64:4 and sliding-window:256.");
    expect(kinds).toContain("At or below chance, the topic lost: sliding-window:16 (23%), sinks:16:4 (30%) and sliding-window:16:cache (3%).");
    expect(kinds).toContain("Above chance but short of full: sinks:16:4:cache (85%), sliding-window:64:cache (68%) and sinks:64:4:cache (63%).");
    expect(sinks).toContain("Sinks keep the rows of the first 4 positions in every layer, and the topic is at position 1 or 2");
    expect(sinks).toContain("that brings it back: sinks:16:4:cache (85%) against sliding-window:16:cache (3%)");
    expect(sinks).toContain("not the same as reading it: sinks:16:4 (30%) against sliding-window:16 (23%) and sinks:64:4:cache (63%) against sliding-window:64:cache (68%)");
    expect(reach).toContain("every window of 66 or fewer has dropped the topic's row");
    expect(reach).toContain("Yet sliding-window:64 (100%) and sliding-window:64:cache (68%) name it");
    expect(reach).toContain("3·63 = 189 at W = 64");
    expect(reach).toContain("The reach is necessary: sliding-window:16 (23%) and sliding-window:16:cache (3%) reach back only 3·15 = 45 (W = 16) positions, fewer than 66");
    expect(reach).toContain("It is not sufficient");
    expect(reach).toContain("sliding-window:64:cache (68%), with a reach of 189, does not keep it");
  });

  it("states the reach only when a window that lost the topic's row still names it", () => {
    const lost = { ...LEARNED, "sliding-window:64": 0.2, "sliding-window:64:cache": 0.15 };
    const text = farDependencyExplanation(withShares(lost)).map(plain);
    expect(text).toHaveLength(3); // intro, the kinds, the sinks
    expect(text.join(" ")).not.toContain("reaches back L·(W−1)");
    expect(text[1]).toContain("sliding-window:64 (20%)"); // now at chance
  });

  it("not learned: full no better than a guess, so the strategies cannot differ on it", () => {
    const text = farDependencyExplanation(withShares({ full: 0.06, paged: 0.06, "sliding-window:16": 0.04, "sinks:16:4": 0.16 }, 50, 16)).map(plain);
    expect(text).toHaveLength(2);
    expect(text[0]).toContain("at least 18 positions after it");
    expect(text[1]).toContain("names the topic in 6% of the probes, no better than a guess: the test model did not learn the far rule, so the strategies cannot differ on it");
    expect(text[1]).toContain("The bars run from 4% to 16%, every one at or below chance.");
    expect(readFarDependency(withShares({ full: 0.3 }, 40)).learned).toBe(false); // 30% is within 20% ± 13%
    expect(readFarDependency(withShares({ full: 0.35 }, 40)).learned).toBe(true);
  });

  it("quick: says how few probes there were and that the shares move in steps of 10%", () => {
    const quick = withShares({ full: 1, "sliding-window:8": 0.3, "sinks:8:4:cache": 0.5, "sliding-window:64": 1 }, 10);
    const [intro, kinds] = farDependencyExplanation(quick).map(plain);
    expect(intro).toContain("Each of the 10 probes");
    expect(intro).toContain("Only 10 probes in this run: each is 10% of a bar, so the figures move in steps of 10% and differences under 25% are noise.");
    expect(kinds).toContain("At or below chance, the topic lost: sliding-window:8 (30%)."); // 30% of 10 probes is within 20% ± 25%
    expect(kinds).toContain("Above chance but short of full: sinks:8:4:cache (50%).");
  });

  it("says so when full has no share (no probe fit the context; NaN, null in results.json)", () => {
    const noProbe = withShares({ full: NaN, "sliding-window:4": NaN });
    expect(farDependencyExplanation(noProbe)[1]).toContain("No far-dependency share was measured");
    const fromJson = JSON.parse(JSON.stringify(noProbe)) as QualityResults;
    expect(fromJson.strategies[0]!.farDependency).toBeNull();
    expect(farDependencyExplanation(fromJson)[1]).toContain("No far-dependency share was measured");
  });
});

describe("the section's table", () => {
  it("has a far-dependency column, a dash where nothing was measured", () => {
    const html = qualityTable(withShares({ full: 1, "sliding-window:16": 0.225, "sinks:16:4": NaN }));
    expect(html).toContain("<th>far dependency (topic named)</th>");
    const row = (label: string): string => html.split("<tr>").find((r) => r.startsWith(`<td><code>${label}</code>`))!;
    expect(row("full")).toContain("<td>100%</td></tr>");
    expect(row("sliding-window:16")).toContain("<td>23%</td></tr>");
    expect(row("sinks:16:4")).toContain("<td>–</td></tr>");
  });
});
