import { describe, expect, it } from "vitest";
import { analyze } from "./analysis.js";
import { generationMacs } from "@tinylm/model";
import { explain } from "./explain.js";
import { fitPowerLaw } from "./fit.js";
import { formatBytes, formatMs } from "./format.js";
import type { Figure } from "./figures.js";
import { buildReport } from "./report.js";
import { syntheticResults } from "./synthetic.test-utils.js";

const PLOTLY = "/* plotly stub */ window.Plotly = { newPlot: function () { return Promise.resolve(); } };";

/** The JSON text of <script type="application/json" id="...">, parsed. */
function inlined(html: string, id: string): unknown {
  const m = html.match(new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`));
  expect(m, `script #${id}`).not.toBeNull();
  return JSON.parse(m![1]!);
}

describe("buildReport", () => {
  const results = syntheticResults();
  const html = buildReport(results, PLOTLY);

  it("inlines the results as JSON, unchanged", () => {
    expect(inlined(html, "bench-results")).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it("plots both series, with and without the cache, on the same axes (plot 1)", () => {
    const figures = inlined(html, "bench-figures") as Figure[];
    expect(figures.map((f) => f.id)).toEqual([
      "plot-triangle", "plot-time", "plot-loglog", "plot-speedup", "plot-strategies", "plot-positions", "plot-quality-memory", "plot-loss-position", "plot-far-dependency", "plot-attention-mass", "plot-speculative",
    ]);
    const time = figures[1]!;
    expect(time.data.map((t) => t.name)).toEqual(["no cache (none)", "KV cache (full)"]);
    expect(time.data[0]!.x).toEqual([10, 20, 40]);
    (time.data[0]!.y as number[]).forEach((y, i) => expect(y).toBeCloseTo([0.01, 0.04, 0.4936][i]!, 12)); // seconds
    expect(time.data[1]!.y).toEqual([0.001, 0.002, 0.004]);
    expect(time.layout).toMatchObject({ xaxis: { title: { text: "generated tokens n" } }, yaxis: { title: { text: "total time (s), fastest repeat (bar: slowest)" } } });
    expect((time.data[0]!.error_y as { array: number[] }).array[2]).toBeCloseTo(0.4936 * 0.1, 10); // slowest − fastest
    for (const id of ["plot-triangle", "plot-time", "plot-loglog", "plot-speedup", "plot-strategies", "plot-positions"]) expect(html).toContain(`<div class="plot" id="${id}">`);
  });

  it("prints each fitted exponent on the log–log plot", () => {
    const figures = inlined(html, "bench-figures") as Figure[];
    const b = fitPowerLaw([10, 20, 40], [10, 40, 493.6]).exponent.toFixed(2);
    const names = figures[2]!.data.map((t) => String(t.name));
    expect(names.some((name) => name.startsWith(`fit: ∝ n^${b} (FLOP model over the same n: n^`))).toBe(true);
    expect(JSON.stringify(figures[2]!.layout)).toContain(`n^${b}`);
  });

  it("inlines Plotly and references nothing outside the file", () => {
    expect(html).toContain(`<script>${PLOTLY}</script>`);
    expect(html).not.toMatch(/<script[^>]+src=|<link|<img|<iframe|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("starts with the summary line and names the machine", () => {
    expect(html).toContain('<p class="summary" id="summary">At 40 tokens the cache is 123× faster: 494 ms without it, 4 ms with it (fastest of 3 repeats).</p>');
    expect(html).toContain("Test CPU 9000 (family 6 model 85, AVX-512)");
  });

  it("escapes text so the inlined JSON cannot end its script element", () => {
    const evil = buildReport(syntheticResults({ sampleText: "</script><b>x</b>" }), PLOTLY);
    expect(evil).toContain("&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;");
    expect(evil).toContain("\\u003c/script>\\u003cb>x\\u003c/b>");
    expect(evil.match(/<\/script>/g)).toHaveLength(4); // results, figures, plotly, page script
  });

  it("refuses a Plotly bundle it cannot inline", () => {
    expect(() => buildReport(results, "var s = '</script>';")).toThrow(/buildReport: the Plotly bundle contains "<\/script"/);
  });
});

describe("explain: the prose quotes this run's numbers", () => {
  const results = syntheticResults();
  const a = analyze(results);
  const text = explain(results, a);
  const all = Object.values(text).flat().join("\n");

  it("summary: the speedup and both totals at the largest n", () => {
    expect(text.summary).toBe("At 40 tokens the cache is 123× faster: 494 ms without it, 4 ms with it (fastest of 3 repeats).");
    expect(text.noise).toBe("");
  });

  it("a noisy run: the headline gives the range the repeats allow, and the top says so in words with what to do", () => {
    const noisy = syntheticResults({ spread: 1.5 });
    const t = explain(noisy, analyze(noisy));
    expect(t.summary).toBe("At 40 tokens the cache was 82.3× to 185× faster (repeats disagreed; fastest runs: 494 ms without it, 4 ms with it)."); // 493.6/6 and 740.4/4
    expect(t.noise).toContain("<b>This machine was noisy during the run.</b> At 6 of 6 points the slowest of the 3 repeats took more than 20% longer than the fastest (worst: 50%");
    expect(t.noise).toContain("close other programs");
    expect(t.noise).toContain("<code>pnpm bench --repeats 5</code>");
    expect(buildReport(noisy, PLOTLY)).toContain('<p class="noise" id="noise"><b>This machine was noisy');
    const once = syntheticResults({ repeats: 1 });
    const o = explain(once, analyze(once));
    expect(o.summary).toBe("At 40 tokens the cache was about 123× faster (one run each, noise not measured): 494 ms without it, 4 ms with it.");
    expect(o.noise).toContain("was not measured");
  });

  it("power laws: the fitted exponents of both curves", () => {
    const bNone = fitPowerLaw([10, 20, 40], [10, 40, 493.6]).exponent;
    const bFull = fitPowerLaw([10, 20, 40], [1, 2, 4]).exponent;
    expect(bFull).toBeCloseTo(1, 12);
    const mNone = fitPowerLaw([10, 20, 40], a.macs.none).exponent, mFull = fitPowerLaw([10, 20, 40], a.macs.full).exponent;
    expect(text.powerLaws.join(" ")).toContain(`without the cache measured <i>b</i> = ${bNone.toFixed(2)}, the FLOP model over the same <i>n</i> ${mNone.toFixed(2)}`);
    expect(text.powerLaws.join(" ")).toContain(`with it measured 1.00, the FLOP model ${mFull.toFixed(2)}`);
  });

  it("rate: the predicted speedup is the ratio of multiply-adds, and the measured one is quoted", () => {
    const config = a.config;
    const none = generationMacs(config, "none", 3, [40], "dense")[0]!;
    const full = generationMacs(config, "cache", 3, [40], "dense")[0]!;
    const predicted = none / full;
    expect(a.speedup.predicted[2]).toBeCloseTo(predicted, 10);
    const fmt = predicted >= 100 ? String(Math.round(predicted)) : String(Number(predicted.toPrecision(3)));
    expect(text.rate.join(" ")).toContain(`the multiply-add counts give ${fmt}×`);
    expect(text.rate.join(" ")).toContain(`the fitted cost model gives ${String(Number(a.speedup.modelled[2]!.toPrecision(3)))}×`);
    expect(text.rate.join(" ")).toContain("measured 123× (fastest repeat of each; the repeats allow 112×–136×)"); // 493.6/4; ÷1.1 and ×1.1
    expect(text.rate.join(" ")).toContain("0.446 at <i>n</i> = 259, 0.391 at <i>n</i> = 1,000, 0.349 at <i>n</i> = 5,000"); // the R(n)/n
  });

  it("the model's weights cost and crossover come from the config: 99,584 MACs per token, t* ≈ 259", () => {
    expect(all).toContain("<i>W</i> = 99,584 multiply-adds");
    expect(all).toContain("≈ 259");
  });

  it("names the limit of the kernels that ran: 2n/3 for dense attention, n/3 for causal", () => {
    expect(text.rate.join(" ")).toContain("<i>t</i>² pairs per layer and <i>R</i>(<i>n</i>)/<i>n</i> heads for 2/3 instead");
    const causal = syntheticResults({ attentionCount: "causal" });
    const rate = explain(causal, analyze(causal)).rate.join(" ");
    expect(rate).toContain("tending to <i>n</i>/3");
    expect(rate).toContain("never touch a key the causal mask hides");
  });

  it("departures: the per-step cost, the speedup at the smallest n, the misses at the largest", () => {
    expect(text.departures[0]).toContain(`at <i>n</i> = 10 the measured speedup is 10× where the multiply-adds alone predict ${String(Number(a.speedup.predicted[0]!.toPrecision(3)))}×`);
    expect(text.departures[1]).toContain(`the no-cache run took 494 ms against the model's ${formatMs(a.predictedMs.none[2]!)} (×${(493.6 / a.predictedMs.none[2]!).toFixed(2)})`);
    expect(text.departures[1]).toContain(`the cached run 4 ms against ${formatMs(a.predictedMs.full[2]!)}`);
    expect(text.powerLaws.join(" ")).toContain(`<i>k</i> = ${Number((a.msPerMac * 1e6).toPrecision(3))} ns per multiply-add`);
    expect(text.departures[0]).toContain(`the fixed cost <i>a</i> = ${Number((a.msPerStep * 1000).toPrecision(3))} µs once per step`);
    expect(text.departures[0]).toContain(`The one-off cost <i>r</i> = ${formatMs(a.msPerRun)} is paid once per run`);
  });

  it("strategies: every strategy at the largest length, with its memory", () => {
    expect(text.strategies.join(" ")).toContain("<b>full</b>");
    expect(text.strategies.join(" ")).toContain("96 KiB allocated (63 KiB in use)");
    expect(text.strategies.join(" ")).not.toContain("smallest cache"); // one caching strategy: nothing to rank
    expect(text.strategies.join(" ")).toContain("<b>none</b> keeps nothing and recomputes every key and value each step: 12 ms per token (fastest repeat), 0 B allocated");
  });

  it("how this was measured: the long runs' clock against separate runs, both numbers and the difference", () => {
    const m = text.method.join(" ");
    const { none, full } = results.separateRuns;
    const pct = (long: number, sep: number) => Number((Math.abs(long / sep - 1) * 100).toPrecision(3));
    expect(pct(none.longRunMs, none.separateMs.median)).toBe(5.26); // 40 / 38
    expect(pct(full.longRunMs, full.separateMs.median)).toBe(2.44); // 2 / 2.05
    expect(m).toContain("at <i>n</i> = 20: the long runs' clock read 40 ms without the cache and 2 ms with it");
    expect(m).toContain("separate runs of exactly 20 tokens took 38 ms (37 ms–41 ms) and 2.05 ms (2 ms–2.2 ms) (median of 3)");
    expect(m).toContain("The long runs differ by +5.26% (no cache) and −2.44% (cache): within the 20% the report accepts");
    expect(m).toContain("Both generated the long runs' first tokens.");
    const other = syntheticResults();
    const changed = { ...other, separateRuns: { ...other.separateRuns, none: { longRunMs: 40, separateMs: { median: 50, min: 50, max: 50 }, sameTokens: false } } };
    const m2 = explain(changed, analyze(changed)).method.join(" ");
    expect(m2).toContain("differ by −20% (no cache)");
    const far = { ...other, separateRuns: { ...other.separateRuns, none: { longRunMs: 40, separateMs: { median: 24, min: 24, max: 24 }, sameTokens: true } } };
    expect(explain(far, analyze(far)).method.join(" ")).toContain("<b>more than the 20% the report accepts</b>");
    expect(m2).toContain("<b>Warning:</b> a separate run generated different tokens");
  });

  it("departures: the working set (weights, K/V at the largest n) against this CPU's caches, from the data", () => {
    const ws = text.departures.find((p) => p.startsWith("Caches."))!;
    const weights = a.weightMacs.total * 4; // 99,584 floats
    expect(ws).toContain(`Caches. Every step reads all the weight matrices, ${formatBytes(weights)} as float32 (the whole model is 107,220 parameters, 419 KiB, at context_length 64, its learned position table alone 4,096 of them (64·64; the exercise's context of 32 gives 105,172 in all)`);
    expect(formatBytes(weights)).toBe("389 KiB");
    expect(ws).toContain("1.5 KiB per position, 63 KiB at <i>n</i> = 40"); // full's bytes in use at 40 (the results)
    expect(ws).toContain("This CPU's caches: L1d 32 KiB, L2 256 KiB, L3 8 MiB.");
    expect(ws).toContain("The weights fit in L3 (8 MiB) but not in L2 (256 KiB); weights and K/V together (452 KiB) fit in L3 (8 MiB) but not in L2 (256 KiB).");
    const big = syntheticResults({ caches: [{ level: 1, type: "Data", bytes: 48 * 1024 }, { level: 2, type: "Unified", bytes: 2 * 1024 ** 2 }] });
    expect(explain(big, analyze(big)).departures.join(" ")).toContain("The weights fit in L2 (2 MiB) but not in L1d (48 KiB)");
    const none = syntheticResults({ caches: [] });
    expect(explain(none, analyze(none)).departures.join(" ")).toContain("did not report its CPU cache sizes");
  });

  it("departures: the working set names both kernel backends' score storage", () => {
    const dense = text.departures.find((p) => p.startsWith("Caches."))!;
    expect(dense).toContain(`whole <i>t</i>×<i>t</i> score matrix per layer (${formatBytes(42 * 42 * 4)} at <i>t</i> = 42); the wasm kernels keep one row`);
    const causal = syntheticResults({ attentionCount: "causal" });
    const c = explain(causal, analyze(causal)).departures.find((p) => p.startsWith("Caches."))!;
    expect(c).toContain(`keep one row of scores at a time (168 B at <i>t</i> = 42); the JS kernels would also write`);
  });

  it("departures: says whether plot 5 reaches the end of the context", () => {
    expect(text.departures.join(" ")).toContain("The long runs stopped at position 8");
    const r = syntheticResults();
    const to = (n: number) => Array.from({ length: n }, (_, i) => 4 + i);
    const reach = { ...r, positions: { none: { position: to(60), medianMs: to(60) }, full: { position: to(60), medianMs: to(60) } } };
    expect(explain(reach, analyze(reach)).departures.join(" ")).toContain("The long runs went on to position 63, the last of the context (context_length 64).");
  });

  it("strategies: int8's logit error against full, from the results", () => {
    const withInt8 = { ...results, strategies: [...results.strategies, { ...results.strategies[3]!, kind: "int8" }] };
    const s = explain(withInt8, analyze(withInt8)).strategies.join(" ");
    expect(s).toContain("max |Δlogit| vs full 0.0123 over 40 steps (teacher-forced on full's tokens; rms 0.00234, against logits up to 1.5 in size)");
    expect(buildReport(withInt8, PLOTLY)).toContain('<p class="note">int8: max |Δlogit| vs full 0.0123 over 40 steps, teacher-forced on full\'s tokens.</p>');
    const without = syntheticResults({ int8Error: null });
    expect(buildReport(without, PLOTLY)).not.toContain("Δlogit");
  });
});
