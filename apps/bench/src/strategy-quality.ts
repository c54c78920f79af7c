// The report's section on what each cache strategy gives up: quality against memory (one point per
// strategy and setting, the Pareto front marked), next-word loss against position, the far dependency
// (far-dependency.ts) and the attention mass on the first positions per layer (trained weights against
// random ones). Measured with the eval library (`tinylm eval` runs the same), drawn as Plotly figures,
// each with an explanation generated from the run's numbers, and every strategy's numbers in one table.
import {
  attentionMass, evalPlan, evaluate, isSink, parseStrategy, SINK_SHARE, TinyLM,
  type EvalPlan, type LayerMass, type StrategyEval,
} from "@tinylm/model";
import { farDependencyExplanation, farDependencyFigure } from "./far-dependency.js";
import type { Figure } from "./figures.js";
import { escapeHtml, formatBytes, formatInt, sig3 } from "./format.js";

/** What the section needs, as stored in results.json. */
export interface QualityResults {
  readonly model: string; // the weights' name
  readonly plan: EvalPlan;
  readonly strategies: StrategyEval[];
  readonly mass: { readonly model: LayerMass[]; readonly random: LayerMass[] };
}

/** The strategies the bench measures: every kind, windows from small to large, both position schemes. */
export function qualitySpecs(contextLength: number, quick: boolean): string[] {
  const windows = (quick ? [8, 64] : [4, 16, 64, 256]).filter((w) => w + 4 <= contextLength);
  return [
    "full", "paged", "int8", "int8:channel",
    ...windows.flatMap((w) => [`sliding-window:${w}`, ...(w > 4 ? [`sinks:${w}:4`] : []), `sliding-window:${w}:cache`, ...(w > 4 ? [`sinks:${w}:4:cache`] : [])]),
  ];
}

/** Runs the evaluation and the attention-mass measurement for the section. */
export async function measureQuality(model: TinyLM, name: string, quick: boolean, onProgress?: (message: string) => void): Promise<QualityResults> {
  const base = evalPlan(model);
  const plan: EvalPlan = quick ? { ...base, texts: 2, prompts: 2, probes: 10 } : base;
  const strategies = qualitySpecs(model.config.contextLength, quick).map((s) => parseStrategy(s, model.config));
  const report = await evaluate(model, strategies, { plan, onProgress: onProgress && ((m) => onProgress(m)) });
  const length = Math.min(plan.textLength, 256);
  return {
    model: name,
    plan,
    strategies: report.results,
    mass: { model: attentionMass(model, plan.texts, length), random: attentionMass(TinyLM.init(model.config, { seed: 1 }), plan.texts, length) },
  };
}

/** Indices of the points no other point beats on both memory and KL (lower is better on both). */
export function paretoFront(points: readonly { bytes: number; kl: number }[]): number[] {
  return points
    .map((p, i) => ({ p, i }))
    .filter(({ p, i }) => !points.some((q, j) => j !== i && q.bytes <= p.bytes && q.kl <= p.kl && (q.bytes < p.bytes || q.kl < p.kl)))
    .sort((a, b) => a.p.bytes - b.p.bytes)
    .map(({ i }) => i);
}

const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13 };
const KL_FLOOR = 1e-9; // exact strategies (KL 0) drawn on the log axis at this floor

function layout(title: string, x: Record<string, unknown>, y: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, font: { size: 16 } }, font: FONT, xaxis: { ...x, zeroline: false }, yaxis: { ...y, zeroline: false },
    legend: { orientation: "h", x: 0, y: -0.22, yanchor: "top", font: { size: 12 } }, margin: { l: 70, r: 20, t: 50, b: 40 }, height: 520, ...extra,
  };
}

const family = (label: string): string => label.replace(/:\d+/g, "").replace(/:(token|channel)$/, "");

/** The four figures: quality vs memory with the Pareto front, loss vs position, the far dependency, attention mass per layer. */
export function qualityFigures(q: QualityResults): Figure[] {
  const points = q.strategies.map((s) => ({ bytes: s.allocatedBytes, kl: s.meanKL }));
  const front = paretoFront(points);
  const families = [...new Set(q.strategies.map((s) => family(s.label)))];
  const scatter: Figure = {
    id: "plot-quality-memory",
    data: [
      ...families.map((f) => {
        const members = q.strategies.filter((s) => family(s.label) === f);
        return {
          type: "scatter", mode: "markers", name: f, x: members.map((s) => s.allocatedBytes), y: members.map((s) => Math.max(s.meanKL, KL_FLOOR)),
          text: members.map((s) => s.label), marker: { size: 9 },
          hovertemplate: "%{text}<br>%{x:,} bytes<br>KL %{y:.3g}<extra></extra>",
        };
      }),
      {
        type: "scatter", mode: "lines", name: "Pareto front", x: front.map((i) => points[i]!.bytes), y: front.map((i) => Math.max(points[i]!.kl, KL_FLOOR)),
        line: { color: "#222", dash: "dot", shape: "hv" }, hoverinfo: "skip",
      },
    ],
    layout: layout(
      "Quality against memory, one point per strategy and setting",
      { title: { text: `bytes allocated after a ${q.plan.textLength}-word text` }, type: "log" },
      { title: { text: `mean KL from full's next-word distribution (nats; ${KL_FLOOR} = exact)` }, type: "log" },
    ),
  };
  const lossLabels = q.strategies.filter((s) => /^(full|sliding-window:64(:cache)?|sinks:64:4(:cache)?)$/.test(s.label)).map((s) => s.label);
  const shown = lossLabels.length > 1 ? lossLabels : q.strategies.filter((s) => !/int8|paged/.test(s.label)).slice(0, 5).map((s) => s.label);
  const smooth = (xs: number[], k = 16): number[] => xs.map((_, i) => {
    const from = Math.max(0, i - k + 1);
    return xs.slice(from, i + 1).reduce((a, b) => a + b, 0) / (i + 1 - from);
  });
  const loss: Figure = {
    id: "plot-loss-position",
    data: shown.map((label) => {
      const s = q.strategies.find((x) => x.label === label)!;
      return {
        type: "scatter", mode: "lines", name: label, x: s.nllByPosition.map((_, t) => t + 1), y: smooth(s.nllByPosition.map((x) => Math.exp(x))),
        hovertemplate: `${label}<br>position %{x}<br>perplexity %{y:.3g}<extra></extra>`,
      };
    }),
    layout: layout("Perplexity against position (teacher-forced, 16-position running mean)", { title: { text: "position of the predicted word" } }, { title: { text: "exp(mean next-word loss)" }, type: "log" }),
  };
  const layers = q.mass.model.map((l) => `layer ${l.layer}`);
  const total = (m: LayerMass): number => m.mass.reduce((a, b) => a + b, 0);
  const mass: Figure = {
    id: "plot-attention-mass",
    data: [
      { type: "bar", name: `${q.model} weights`, x: layers, y: q.mass.model.map(total), hovertemplate: "%{x}: %{y:.3f}<extra></extra>" },
      { type: "bar", name: "seeded random weights", x: layers, y: q.mass.random.map(total), hovertemplate: "%{x}: %{y:.3f}<extra></extra>" },
      { type: "bar", name: "uniform attention", x: layers, y: q.mass.model.map((l) => l.uniform.reduce((a, b) => a + b, 0)), marker: { color: "#bbb" }, hovertemplate: "%{x}: %{y:.3f}<extra></extra>" },
    ],
    layout: layout(`Attention on positions 0..${(q.mass.model[0]?.mass.length ?? 4) - 1}, per layer`, { title: { text: "layer" } }, { title: { text: "share of each query's attention" }, rangemode: "tozero" }, { barmode: "group" }),
  };
  return [scatter, loss, farDependencyFigure(q), mass];
}

const find = (q: QualityResults, label: string): StrategyEval | undefined => q.strategies.find((s) => s.label === label);

/** The explanations, generated from the run's numbers. */
export function qualityExplanation(q: QualityResults): { memory: string[]; position: string[]; far: string[]; mass: string[] } {
  const full = find(q, "full");
  const points = q.strategies.map((s) => ({ bytes: s.allocatedBytes, kl: s.meanKL }));
  const front = paretoFront(points).map((i) => q.strategies[i]!.label);
  const exact = q.strategies.filter((s) => s.meanKL === 0).map((s) => s.label);
  const memory = [
    `Each point is one strategy on ${q.plan.texts} held-out texts of ${q.plan.textLength} words, fed one word at a time as generation feeds them: across, the bytes its cache allocated by the end (every buffer it owns); up, how far its next-word distribution strayed from <code>full</code>'s (mean KL divergence). ` +
      `${exact.length ? `${exact.map((l) => `<code>${escapeHtml(l)}</code>`).join(", ")} ${exact.length === 1 ? "is" : "are"} exact (KL 0, drawn at ${KL_FLOOR}). ` : ""}` +
      `The dotted line is the Pareto front, the settings no other setting beats on both axes: ${front.map((l) => `<code>${escapeHtml(l)}</code>`).join(", ")}.`,
  ];
  const best = [...q.strategies].sort((a, b) => a.perplexity - b.perplexity)[0];
  if (full && best && best.perplexity < full.perplexity) {
    memory.push(`KL measures how far a strategy departs from <code>full</code>, not how well it predicts the text: here <code>full</code>'s teacher-forced perplexity is ${sig3(full.perplexity)} and <code>${escapeHtml(best.label)}</code>'s is ${sig3(best.perplexity)}, lower. The texts (${q.plan.textLength} words) may run past what the model was trained on, and there <code>full</code> is not the best a cache can do.`);
  }
  const int8 = find(q, "int8"), channel = find(q, "int8:channel");
  if (full && int8) {
    memory.push(`<code>int8</code> keeps every position in ${sig3(int8.allocatedBytes / full.allocatedBytes)}× of <code>full</code>'s bytes (${formatBytes(int8.allocatedBytes)} against ${formatBytes(full.allocatedBytes)}) for a KL of ${sig3(int8.meanKL)}: its greedy text matches <code>full</code>'s for ${(100 * int8.agreement).toFixed(1)}% of the words${channel ? `; with per-channel key scales (KIVI) the KL is ${sig3(channel.meanKL)}` : ""}. A window keeps fewer bytes still, but forgets: what lies beyond it reaches a query only through deeper layers (a receptive field of about L·(W−1) positions).`);
  }
  const position: string[] = [];
  const abs = find(q, "sliding-window:64"), cache = find(q, "sliding-window:64:cache"), sinks = find(q, "sinks:64:4");
  if (full) {
    const late = (s: StrategyEval): number => Math.exp(s.nllByPosition.slice(-64).reduce((a, b) => a + b, 0) / Math.min(64, s.nllByPosition.length));
    position.push(`Perplexity at each position, averaged over the texts: <code>full</code> ends at ${sig3(late(full))} over the last 64 positions of ${q.plan.textLength}, against ${sig3(Math.exp(full.nllByPosition.slice(0, 64).reduce((a, b) => a + b, 0) / Math.min(64, full.nllByPosition.length)))} over the first 64.`);
    if (abs && cache) {
      position.push(`With a window of 64, absolute positions end at ${sig3(late(abs))} and positions within the cache at ${sig3(late(cache))}${sinks ? `; 4 sinks with absolute positions at ${sig3(late(sinks))}` : ""}. ` +
        `Positions within the cache embed a token at its place in the cache (never past window + sinks − 1), so past the length the model was trained on it still sees only positions it knows; with absolute positions it sees positions it never saw in training.`);
    }
  }
  const sinkLayers = q.mass.model.filter(isSink).map((l) => l.layer);
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const mass = [
    `Share of each query's attention that lands on positions 0..${(q.mass.model[0]?.mass.length ?? 4) - 1}, averaged over heads, texts and queries, per layer: ${q.mass.model.map((l) => `layer ${l.layer} ${pct(l.mass.reduce((a, b) => a + b, 0))}`).join(", ")} with the ${escapeHtml(q.model)} weights; ${q.mass.random.map((l) => `${pct(l.mass.reduce((a, b) => a + b, 0))}`).join(", ")} with seeded random ones; ${pct(q.mass.model[0]?.uniform.reduce((a, b) => a + b, 0) ?? NaN)} if attention were uniform over the visible keys.`,
    sinkLayers.length
      ? `By the rule used here (at least ${SINK_SHARE} of the attention, and 5× the uniform share), a sink formed in layer${sinkLayers.length > 1 ? "s" : ""} ${sinkLayers.join(", ")}.`
      : `By the rule used here (at least ${SINK_SHARE} of the attention, and 5× the uniform share), no sink formed in this model: no layer parks attention on the first positions. So the sinks strategy's first positions are kept for a habit this model does not have.`,
  ];
  return { memory, position, far: farDependencyExplanation(q), mass };
}

/** Every strategy's numbers, one row each (NaN, or null from results.json, shown as "–"). */
export function qualityTable(q: QualityResults): string {
  const share = (x: number, digits: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : "–");
  const num = (x: number, f: (x: number) => string): string => (Number.isFinite(x) ? f(x) : "–");
  const head = ["strategy", "positions held", "bytes allocated", "perplexity", "KL from <code>full</code>", "greedy words equal to <code>full</code>'s", "grammatical", "far dependency (topic named)"];
  const rows = q.strategies.map((s) => [
    `<code>${escapeHtml(s.label)}</code>`, num(s.heldPositions, formatInt), num(s.allocatedBytes, formatBytes), num(s.perplexity, sig3),
    s.meanKL === 0 ? "0" : num(s.meanKL, (x) => x.toExponential(1)), share(s.agreement, 1), share(s.grammatical, 1), share(s.farDependency, 0),
  ]);
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>` +
    `<p class="note">${q.plan.texts} texts of ${formatInt(q.plan.textLength)} words teacher-forced, ${q.plan.prompts} prompts continued greedily for ${formatInt(q.plan.continuation)} words, ${q.plan.probes} far-dependency probes (the topic ${q.plan.gap}+ words back); <code>tinylm eval --markdown</code> prints the same measurements.</p>`;
}
