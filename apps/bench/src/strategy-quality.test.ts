// The strategy-quality section: the Pareto front, the figures it draws and the explanation generated
// from the numbers (which must change when the numbers do).
import { describe, expect, it } from "vitest";
import { buildReport } from "./report.js";
import { paretoFront, qualityExplanation, qualityFigures, qualitySpecs } from "./strategy-quality.js";
import { syntheticQuality, syntheticResults } from "./synthetic.test-utils.js";

describe("paretoFront", () => {
  it("keeps the points no other point beats on both memory and KL, cheapest first", () => {
    const points = [{ bytes: 100, kl: 0 }, { bytes: 50, kl: 0.1 }, { bytes: 60, kl: 0.2 }, { bytes: 10, kl: 1 }, { bytes: 100, kl: 0.5 }];
    expect(paretoFront(points)).toEqual([3, 1, 0]);
  });
});

describe("the section", () => {
  const q = syntheticQuality();

  it("draws quality against memory with the front, perplexity against position, the far dependency and the attention mass", () => {
    const [scatter, loss, far, mass] = qualityFigures(q);
    expect([scatter!.id, loss!.id, far!.id, mass!.id]).toEqual(["plot-quality-memory", "plot-loss-position", "plot-far-dependency", "plot-attention-mass"]);
    const front = scatter!.data.find((t) => t["name"] === "Pareto front")!;
    expect(front["x"]).toEqual([6_144, 8_160, 30_720, 30_720]); // sliding-window:64, int8, full and paged (a tie: neither beats the other)
    expect(loss!.data.map((t) => t["name"])).toEqual(["full", "sliding-window:64", "sliding-window:64:cache"]);
    expect(mass!.data).toHaveLength(3); // the model's weights, random ones, uniform attention
  });

  it("explains from the numbers: exact strategies, the front, and whether a sink formed", () => {
    const text = qualityExplanation(q);
    expect(text.memory[0]).toContain("<code>full</code>, <code>paged</code> are exact");
    expect(text.memory[1]).toContain("0.266× of <code>full</code>'s bytes");
    expect(text.mass[1]).toContain("a sink formed in layer 0");
    const none = qualityExplanation({ ...q, mass: { model: q.mass.random, random: q.mass.random } });
    expect(none.mass[1]).toContain("no sink formed in this model");
    expect(text.far[1]).toContain("no better than a guess"); // every synthetic share is 20%, full's too
  });

  it("is in the report, after the existing plots", () => {
    const html = buildReport(syntheticResults(), "/* plotly */");
    for (const id of ["plot-quality-memory", "plot-loss-position", "plot-far-dependency", "plot-attention-mass"]) expect(html).toContain(`<div class="plot" id="${id}">`);
    expect(html.indexOf("plot-positions")).toBeLessThan(html.indexOf("plot-quality-memory"));
    expect(html.indexOf("plot-loss-position")).toBeLessThan(html.indexOf("plot-far-dependency"));
    expect(html).toContain("<th>far dependency (topic named)</th>"); // the section's table, under its first plot
    expect(buildReport({ ...syntheticResults(), quality: null }, "/* plotly */")).not.toContain("plot-quality-memory"); // older results
  });

  it("measures every kind, both position schemes, windows that fit the context", () => {
    expect(qualitySpecs(32, true)).toEqual(["full", "paged", "int8", "int8:channel", "sliding-window:8", "sinks:8:4", "sliding-window:8:cache", "sinks:8:4:cache"]);
    expect(qualitySpecs(1024, false)).toContain("sinks:256:4:cache");
  });
});
