// The report's Plotly figures as plain data (traces + layout), built from the results and their analysis.
// Pure, so the tests can read exactly what will be drawn.
import type { Analysis } from "./analysis.js";
import { sig3 } from "./format.js";
import type { BenchResults } from "./results.js";

export interface Figure {
  readonly id: string; // the div's id
  readonly data: Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
}

const COLOR = { none: "#d62728", full: "#1f77b4", model: "#555" };
const PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const NAME = { none: "no cache (none)", full: "KV cache (full)" };
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 };
/** A legend under the plot, so it never hides points. */
export const LEGEND_BELOW = { legend: { orientation: "h", x: 0, y: -0.22, yanchor: "top", font: { size: 12 } }, margin: { l: 70, r: 20, t: 50, b: 40 }, height: 520 };
/** Log axes labelled at powers of ten only. */
const LOG = { type: "log", dtick: 1 };

export function layout(title: string, x: Record<string, unknown>, y: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, font: { size: 16 } },
    font: FONT,
    xaxis: { ...x, zeroline: false },
    yaxis: { ...y, zeroline: false },
    legend: { x: 0.01, y: 0.99, bgcolor: "rgba(255,255,255,0.8)" },
    margin: { l: 70, r: 20, t: 50, b: 60 },
    height: 430,
    ...extra,
  };
}

export const errorBars = (median: readonly number[], min: readonly number[], max: readonly number[], scale = 1) => ({
  type: "data",
  symmetric: false,
  array: median.map((m, i) => (max[i]! - m) * scale),
  arrayminus: median.map((m, i) => (m - min[i]!) * scale),
  thickness: 1,
});

const seconds = (ms: readonly number[]): number[] => ms.map((x) => x / 1000);

/** Plot 1, as the exercise asks: total time against tokens generated, both curves on the same linear axes. */
function totalTime(r: BenchResults, a: Analysis): Figure {
  const { n } = r.sweep;
  const series = (kind: "none" | "full") => ({
    type: "scatter", mode: "lines+markers", name: NAME[kind], x: n, y: seconds(a.time[kind]),
    error_y: errorBars(a.time[kind], r.sweep[kind].minMs, r.sweep[kind].maxMs, 1 / 1000),
    line: { color: COLOR[kind] }, marker: { size: 6 },
    hovertemplate: `${NAME[kind]}<br>n = %{x}<br>%{y:.4g} s<extra></extra>`,
  });
  return {
    id: "plot-time",
    data: [series("none"), series("full")],
    layout: layout("1. Total generation time vs tokens generated", { title: { text: "generated tokens n" } }, { title: { text: "total time (s), fastest repeat (bar: slowest)" }, rangemode: "tozero" }),
  };
}

/** Plot 2: log–log, measured points, a fitted power law per curve, and the cost model. */
function logLog(r: BenchResults, a: Analysis): Figure {
  const { n } = r.sweep;
  const ends = [n[0]!, n[a.last]!];
  const data: Record<string, unknown>[] = [];
  for (const kind of ["none", "full"] as const) {
    const fit = a.fits[kind];
    data.push(
      { type: "scatter", mode: "markers", name: `${NAME[kind]}, measured`, x: n, y: seconds(a.time[kind]), marker: { color: COLOR[kind], size: 7 } },
      {
        type: "scatter", mode: "lines", name: `fit: ∝ n^${fit.exponent.toFixed(2)} (FLOP model over the same n: n^${a.modelFits[kind].exponent.toFixed(2)})`, x: ends, y: ends.map((x) => (fit.coefficient * x ** fit.exponent) / 1000),
        line: { color: COLOR[kind], dash: "dot", width: 2 },
      },
      {
        type: "scatter", mode: "lines", name: `cost model, ${kind}: r + a·n + k·MACs`, x: n, y: seconds(a.predictedMs[kind]),
        line: { color: COLOR[kind], dash: "dash", width: 1.5 }, opacity: 0.7,
      },
    );
  }
  const annotation = (kind: "none" | "full") => ({
    x: Math.log10(n[a.last]!), y: Math.log10(a.time[kind][a.last]! / 1000), xref: "x", yref: "y",
    text: `<b>n^${a.fits[kind].exponent.toFixed(2)}</b>`, showarrow: true, arrowhead: 0, ax: -50, ay: kind === "none" ? -25 : 25,
    font: { color: COLOR[kind], size: 14 },
  });
  return {
    id: "plot-loglog",
    data,
    layout: layout("2. Log–log: fitted power laws and the cost model", { ...LOG, title: { text: "generated tokens n (log)" } }, { ...LOG, title: { text: "total time (s, log)" } }, {
      annotations: [annotation("none"), annotation("full")],
      ...LEGEND_BELOW,
    }),
  };
}

/** Plot 3: speedup against n, measured and predicted, with the n/2 line and the limit (n/3 causal, 2n/3 dense). */
function speedup(r: BenchResults, a: Analysis): Figure {
  const { n } = r.sweep;
  const s = a.speedup;
  const ends = [0, n[a.last]!];
  return {
    id: "plot-speedup",
    data: [
      {
        type: "scatter", mode: "lines+markers", name: "measured (fastest none ÷ fastest full; bar: what the repeats allow)", x: n, y: s.measured,
        error_y: errorBars(s.measured, s.low, s.high), line: { color: "#2ca02c" }, marker: { size: 6 },
      },
      { type: "scatter", mode: "lines", name: "FLOP model: ratio of multiply-adds (no fitted parameter)", x: n, y: s.predicted, line: { color: COLOR.model, dash: "dash" } },
      { type: "scatter", mode: "lines", name: "cost model with the fitted costs r and a", x: n, y: s.modelled, line: { color: "#2ca02c", dash: "dash", width: 1.5 } },
      { type: "scatter", mode: "lines", name: "n/2 (the count while n ≪ W/2dL)", x: ends, y: ends.map((x) => x * a.slopes.weights), line: { color: "#aaa", dash: "dot", width: 1 } },
      { type: "scatter", mode: "lines", name: `${a.count === "dense" ? "2n/3" : "n/3"} (the count's limit for n ≫ W/2dL)`, x: ends, y: ends.map((x) => x * a.slopes.attention), line: { color: "#aaa", dash: "dashdot", width: 1 } },
    ],
    layout: layout("3. Speedup of the cache: time without ÷ time with", { title: { text: "generated tokens n" }, rangemode: "tozero" }, { title: { text: "speedup (×)" }, rangemode: "tozero" }, LEGEND_BELOW),
  };
}

/** Plot 4: every cache strategy at a few lengths: memory (left) and mean time per token, fastest repeat (right). */
function strategies(r: BenchResults): Figure {
  const kinds = [...new Set(r.strategies.map((s) => s.kind))];
  const data: Record<string, unknown>[] = [];
  kinds.forEach((kind, i) => {
    const points = r.strategies.filter((s) => s.kind === kind);
    const x = points.map((p) => `n = ${p.length}`);
    const color = PALETTE[i % PALETTE.length];
    data.push(
      {
        type: "bar", name: kind, legendgroup: kind, x, y: points.map((p) => p.bytes.allocated / 1024), marker: { color },
        customdata: points.map((p) => p.bytes.used / 1024), hovertemplate: `${kind} %{x}<br>allocated %{y:.1f} KiB<br>in use %{customdata:.1f} KiB<extra></extra>`,
      },
      {
        type: "bar", name: kind, legendgroup: kind, showlegend: false, x, y: points.map((p) => p.msPerToken.min), xaxis: "x2", yaxis: "y2", marker: { color },
        error_y: errorBars(points.map((p) => p.msPerToken.min), points.map((p) => p.msPerToken.min), points.map((p) => p.msPerToken.max)),
        hovertemplate: `${kind} %{x}<br>%{y:.3g} ms per token<extra></extra>`,
      },
    );
  });
  return {
    id: "plot-strategies",
    data,
    layout: {
      ...layout("4. Cache strategies: memory and time per token", { domain: [0, 0.44], title: { text: "tokens generated" } }, { title: { text: "cache memory allocated (KiB)" }, rangemode: "tozero" }),
      xaxis2: { domain: [0.56, 1], anchor: "y2", title: { text: "tokens generated" } },
      yaxis2: { anchor: "x2", ...LOG, title: { text: "mean time per token (ms, log), fastest repeat" } },
      barmode: "group",
      legend: { orientation: "h", x: 0, y: -0.2 },
      margin: { l: 70, r: 20, t: 50, b: 90 },
      height: 460,
    },
  };
}

/** A dotted vertical line at t*, where attention starts to cost more than the weights. */
const crossoverMark = (t: number) => ({
  shapes: [{ type: "line", x0: t, x1: t, yref: "paper", y0: 0, y1: 1, line: { color: "#aaa", dash: "dot", width: 1 } }],
  annotations: [{ x: t, y: 1, yref: "paper", text: `t* ≈ ${sig3(t)}: attention = weights`, showarrow: false, yanchor: "bottom", font: { size: 11, color: "#777" } }],
});

/** Plot 5: the time of each decode step against its position, measured and predicted. */
function positions(r: BenchResults, a: Analysis): Figure {
  const line = (kind: "none" | "full") => ({
    type: "scatter", mode: "lines", name: NAME[kind], x: r.positions[kind].position, y: r.positions[kind].medianMs, line: { color: COLOR[kind], width: 1 },
  });
  const model = (kind: "none" | "full") => ({
    type: "scatter", mode: "lines", name: `cost model, ${kind}: a + k·MACs`, x: r.positions[kind].position, y: a.positionsPredictedMs[kind],
    line: { color: COLOR[kind], dash: "dash", width: 1.5 }, opacity: 0.7,
  });
  const C = Number(r.config.context_length);
  return {
    id: "plot-positions",
    data: [line("none"), model("none"), line("full"), model("full")],
    layout: layout(
      `5. Time per decode step vs position (context_length ${C})`,
      { title: { text: "position of the generated token (keys attended)" } },
      { ...LOG, title: { text: "step time (ms, log), median of repeats" } },
      { ...LEGEND_BELOW, ...(Math.max(...r.positions.full.position) > a.crossover ? crossoverMark(a.crossover) : {}) },
    ),
  };
}

/**
 * Plot 0: the causal score triangle of the walk-through ("the cat sat on" + "the", t = 5) in one layer:
 * row i holds query i's scores against keys 0..i; the mask hides the rest. Without the cache every cell is
 * computed again; with it only the new row (the rest was computed on earlier steps and never changes).
 */
export function scoreTriangle(): Figure {
  const words = ["the", "cat", "sat", "on", "the"];
  const t = words.length;
  const cells = (row: (i: number) => boolean) => {
    const x: string[] = [], y: string[] = [];
    for (let i = 0; i < t; i++) for (let j = 0; j <= i; j++) if (row(i)) x.push(`k${j} ${words[j]}`), y.push(`q${i} ${words[i]}`);
    return { x, y };
  };
  const masked = { x: [] as string[], y: [] as string[] };
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) masked.x.push(`k${j} ${words[j]}`), masked.y.push(`q${i} ${words[i]}`);
  const square = (color: string) => ({ symbol: "square", size: 34, color, line: { color: "#fff", width: 1 } });
  const old = cells((i) => i < t - 1), fresh = cells((i) => i === t - 1);
  return {
    id: "plot-triangle",
    data: [
      { type: "scatter", mode: "markers", name: `repeated work without a cache (${old.x.length} scores): computed on earlier steps, final`, ...old, marker: square("#c7c7c7"), hoverinfo: "x+y" },
      { type: "scatter", mode: "markers", name: `the new row: all a cached step computes (${fresh.x.length} scores)`, ...fresh, marker: square("#2ca02c"), hoverinfo: "x+y" },
      { type: "scatter", mode: "markers+text", name: "masked: a query never sees a later key (−∞ before the softmax)", ...masked, text: masked.x.map(() => "−∞"), textfont: { color: "#999" }, marker: square("#f4f4f4"), hoverinfo: "x+y" },
    ],
    layout: layout(
      "0. One layer's causal scores at t = 5: “the cat sat on” + “the”",
      { title: { text: "key (what each position offers)" }, type: "category", categoryorder: "array", categoryarray: words.map((w, j) => `k${j} ${w}`), side: "top" },
      { title: { text: "query (what each position asks)" }, type: "category", categoryorder: "array", categoryarray: words.map((w, i) => `q${i} ${w}`).reverse() },
      { ...LEGEND_BELOW, height: 500, title: { text: "0. One layer's causal scores at t = 5: “the cat sat on” + “the”", font: { size: 16 }, y: 0.98, yanchor: "top" }, margin: { l: 90, r: 20, t: 110, b: 40 } },
    ),
  };
}

/** The figures, in page order. */
export function buildFigures(r: BenchResults, a: Analysis): Figure[] {
  return [scoreTriangle(), totalTime(r, a), logLog(r, a), speedup(r, a), strategies(r), positions(r, a)];
}
