// The far dependency in the strategy-quality section: does a strategy still name the text's topic (its
// first noun) after a later "and the" (docs/language.md)? One figure, each window strategy's share of the
// eval's probes answered with the topic, grouped by window, against full's share and chance (one of the
// NOUNS.length nouns); and the explanation, generated from the run's numbers: which strategies keep the
// topic, which lose it, what sinks keep, and how far a window reaches back through the layers.
import { NOUNS, type StrategyEval } from "@tinylm/model";
import { layout, LEGEND_BELOW, type Figure } from "./figures.js";
import { escapeHtml } from "./format.js";
import type { QualityResults } from "./strategy-quality.js";

/**
 * Where a probe puts its topic: it opens "the|a [adj] <topic>", so at position 1 or 2; it ends with `gap` or
 * more words and then "and the", so the query that must name the topic is at least gap + 2 positions after it.
 */
export const LAST_TOPIC_POSITION = 2;
export const topicDistance = (gap: number): number => gap + 2;

/** What the run says about the far dependency, before any of it is put into words. */
export interface FarReading {
  readonly probes: number;
  readonly chance: number; // 1 / NOUNS.length: a guess among the nouns
  /** Two standard errors of a share of `probes` probes at chance: a guess lands within chance ± margin. */
  readonly margin: number;
  readonly full: number | null; // full's share; null when full was not measured or no probe fit
  readonly learned: boolean; // full above the band where a guess lands
  readonly keeps: StrategyEval[]; // within the margin of full's share
  readonly partial: StrategyEval[]; // above the band, below full's
  readonly loses: StrategyEval[]; // at or below chance: within or under the band
}

const measured = (s: StrategyEval): boolean => Number.isFinite(s.farDependency); // NaN (null in results.json): no probe fit

export function readFarDependency(q: QualityResults): FarReading {
  const probes = q.plan.probes;
  const chance = 1 / NOUNS.length;
  const margin = 2 * Math.sqrt((chance * (1 - chance)) / probes);
  const fullEval = q.strategies.find((s) => s.label === "full");
  const full = fullEval && measured(fullEval) ? fullEval.farDependency : null;
  const learned = full !== null && full > chance + margin;
  const all = q.strategies.filter(measured);
  const loses = all.filter((s) => s.farDependency <= chance + margin);
  const keeps = learned && full !== null ? all.filter((s) => !loses.includes(s) && s.farDependency >= full - margin) : [];
  const partial = all.filter((s) => !loses.includes(s) && !keeps.includes(s));
  return { probes, chance, margin, full, learned, keeps, partial, loses };
}

/** A window strategy's label read back: "sinks:64:4:cache" -> window 64, 4 sinks, group "sinks:W:4:cache". */
export interface WindowLabel {
  readonly window: number;
  readonly sinks: number;
  readonly cache: boolean; // positions within the cache, else absolute
  readonly group: string; // the label with the window written W
}

export function readWindowLabel(label: string): WindowLabel | null {
  const m = /^(sliding-window|sinks):(\d+)(?::(\d+))?(:cache)?$/.exec(label);
  if (!m || (m[1] === "sinks") !== (m[3] !== undefined)) return null;
  return { window: Number(m[2]), sinks: Number(m[3] ?? 0), cache: m[4] !== undefined, group: `${m[1]}:W${m[3] ? `:${m[3]}` : ""}${m[4] ?? ""}` };
}

/** Layers the queries reach back through: one attention-mass entry per layer. */
const layersOf = (q: QualityResults): number => q.mass.model.length;

const pct = (x: number): string => `${Math.round(100 * x)}%`;
const pctNote = (x: number): string => `${+(100 * x).toFixed(1)}%`;
const code = (label: string): string => `<code>${escapeHtml(label)}</code>`;
const withShare = (s: StrategyEval): string => `${code(s.label)} (${pct(s.farDependency)})`;
const list = (xs: readonly string[]): string => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);

const COLORS = ["#1f77b4", "#ff7f0e", "#9ecae1", "#fdae6b", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

/**
 * Bars: one trace per window strategy (sliding-window:W, sinks:W:4, and both with positions in the cache),
 * grouped by window, each window's tick naming its reach L·(W−1), on a category axis drawn over a hidden
 * 0..1 axis that carries the lines across the plot: full's share, chance, and the band where a guess lands
 * with this many probes.
 */
export function farDependencyFigure(q: QualityResults): Figure {
  const r = readFarDependency(q);
  const L = layersOf(q);
  const windowed = q.strategies.map((s) => ({ s, w: readWindowLabel(s.label) })).filter((x): x is { s: StrategyEval; w: WindowLabel } => x.w !== null);
  const windows = [...new Set(windowed.map((x) => x.w.window))].sort((a, b) => a - b);
  const tick = (w: number): string => `W = ${w}${L > 0 ? `<br>reach ${L}·${w - 1} = ${L * (w - 1)}` : ""}`;
  const order = (g: WindowLabel): number => (g.cache ? 2 : 0) + (g.sinks > 0 ? 1 : 0);
  const groups = [...new Map(windowed.map((x) => [x.w.group, x.w])).values()].sort((a, b) => order(a) - order(b) || a.sinks - b.sinks);
  const bars = groups.map((g, i) => {
    const members = windowed.filter((x) => x.w.group === g.group).sort((a, b) => a.w.window - b.w.window);
    return {
      type: "bar", name: g.group, x: members.map((x) => tick(x.w.window)), y: members.map((x) => (measured(x.s) ? x.s.farDependency : null)),
      text: members.map((x) => (measured(x.s) ? pct(x.s.farDependency) : "")), textposition: "outside", textfont: { size: 11 }, cliponaxis: false,
      xaxis: "x2", marker: { color: COLORS[i % COLORS.length] }, customdata: members.map((x) => x.s.label),
      hovertemplate: "%{customdata}<br>topic named in %{y:.0%} of the probes<extra></extra>",
    };
  });
  const across = (name: string, y: number, line: Record<string, unknown>) => ({
    type: "scatter", mode: "lines", name, x: [0, 1], y: [y, y], line, hoverinfo: "skip",
  });
  const low = Math.max(0, r.chance - r.margin), high = r.chance + r.margin;
  const lines = [
    {
      type: "scatter", mode: "lines", name: `where a guess lands with ${r.probes} probes: ${pct(r.chance)} ± ${pct(r.margin)} (2 s.e.)`, x: [0, 1, 1, 0, 0], y: [low, low, high, high, low],
      fill: "toself", fillcolor: "rgba(120,120,120,0.15)", line: { width: 0 }, hoverinfo: "skip",
    },
    across(`chance: 1 of ${NOUNS.length} nouns, ${pct(r.chance)}`, r.chance, { color: "#777", dash: "dash", width: 1.5 }),
    ...(r.full === null ? [] : [across(`full (every position): ${pct(r.full)}`, r.full, { color: "#222", width: 2 })]),
  ];
  return {
    id: "plot-far-dependency",
    data: [...lines, ...bars],
    layout: layout(
      `The topic, ${topicDistance(q.plan.gap)}+ positions back: share of ${r.probes} probes that name it`,
      { range: [0, 1], visible: false, fixedrange: true },
      { title: { text: "probes answered with the topic" }, tickformat: ".0%", range: [0, 1.12] },
      {
        ...LEGEND_BELOW, barmode: "group",
        xaxis2: { overlaying: "x", title: { text: "window W (positions each layer keeps) and the reach of its last layer, L·(W−1)" }, type: "category", categoryorder: "array", categoryarray: windows.map(tick) },
      },
    ),
  };
}

/** The paragraphs beside the figure, from the run's numbers. */
export function farDependencyExplanation(q: QualityResults): string[] {
  const r = readFarDependency(q);
  const d = topicDistance(q.plan.gap);
  const n = r.probes;
  const step = 100 / n;
  const intro =
    `Each of the ${n} probes names its topic in its first words (position 1 or 2: "the [big] cat …"), then runs ${q.plan.gap} or more words of clauses about other nouns ("… and a dog runs …"), then ends "and the": the grammar now allows only the topic (after an optional adjective), at least ${d} positions after it. ` +
    `To a model that learned the rule, a strategy whose cache still carries the topic gives it; one that lost it leaves only a guess among the ${NOUNS.length} nouns: chance is 1/${NOUNS.length} = ${pct(r.chance)} (dashed line), and with ${n} probes a guess lands within ±${pct(r.margin)} of it (the grey band, two standard errors).` +
    (n <= 20 ? ` Only ${n} probes in this run: each is ${pctNote(1 / n)} of a bar, so the figures move in steps of ${+step.toFixed(1)}% and differences under ${pct(r.margin)} are noise.` : "");
  if (r.full === null) {
    return [intro, `No far-dependency share was measured for <code>full</code> (no probe fit the model's context, or <code>full</code> was not run), so there is nothing to compare.`];
  }
  if (!r.learned) {
    const shares = q.strategies.filter(measured).map((s) => s.farDependency);
    const inBand = shares.every((x) => x <= r.chance + r.margin);
    return [
      intro,
      `<code>full</code>, which keeps every position, names the topic in ${pct(r.full)} of the probes, no better than a guess: the ${escapeHtml(q.model)} model did not learn the far rule, so the strategies cannot differ on it. ` +
        `Keeping the topic's row helps only a model that reads it. The bars run from ${pct(Math.min(...shares))} to ${pct(Math.max(...shares))}${inBand ? ", every one at or below chance" : "; a bar above the band is this model's guessing changed by the strategy, not a rule kept"}.`,
    ];
  }
  const out = [intro];
  const keep = r.keeps.map((s) => code(s.label)), partial = r.partial.map(withShare), lose = r.loses.map(withShare);
  out.push((
    `<code>full</code>, which keeps every position, names the topic in ${pct(r.full)} of the probes: this model learned the far rule. ` +
      `${keep.length ? `Within ±${pct(r.margin)} of that, keeping the topic: ${list(keep)}. ` : ""}` +
      `${lose.length ? `At or below chance, the topic lost: ${list(lose)}. ` : "No strategy here lost it to chance. "}` +
      `${partial.length ? `Above chance but short of <code>full</code>: ${list(partial)}.` : ""}`
  ).trimEnd());
  const sinks = sinksParagraph(q, r);
  if (sinks) out.push(sinks);
  const reach = reachParagraph(q, r);
  if (reach) out.push(reach);
  return out;
}

/** Sinks keep the first positions, where the topic is: what that bought, window by window. */
function sinksParagraph(q: QualityResults, r: FarReading): string | null {
  const byLabel = new Map(q.strategies.filter(measured).map((s) => [s.label, s]));
  const pairs = [...byLabel.values()].flatMap((s) => {
    const w = readWindowLabel(s.label);
    if (!w || w.sinks <= LAST_TOPIC_POSITION) return []; // fewer sinks need not hold the topic
    const alone = byLabel.get(`sliding-window:${w.window}${w.cache ? ":cache" : ""}`);
    return alone && !r.keeps.includes(alone) ? [{ sinks: s, alone, w }] : [];
  });
  if (pairs.length === 0) return null;
  const S = [...new Set(pairs.map((p) => p.w.sinks))];
  const back = pairs.filter((p) => p.sinks.farDependency - p.alone.farDependency > r.margin);
  const notBack = pairs.filter((p) => !back.includes(p));
  const compare = (p: (typeof pairs)[number]): string => `${withShare(p.sinks)} against ${withShare(p.alone)}`;
  return (`Sinks keep the rows of the first ${list(S.map(String))} positions in every layer, and the topic is at position 1 or 2: a sinks strategy keeps the topic's row however small its window. ` +
    (back.length ? `Where the window alone had lost the topic, that brings it back: ${list(back.map(compare))}. ` : "") +
    (notBack.length ? `Keeping the row is not the same as reading it: ${list(notBack.map(compare))}; the topic's row is in the cache, yet the model names it no more often than with the window alone (within the noise of ${r.probes} probes, ±${pct(r.margin)}).` : "")).trimEnd();
}

/**
 * The receptive field: a window of W has dropped the topic's row from the last query's keys once W <= d, yet
 * a query at layer L reads rows that each read W positions, reaching back L·(W−1). Stated only when the data
 * show such a window above chance.
 */
function reachParagraph(q: QualityResults, r: FarReading): string | null {
  const L = layersOf(q);
  const d = topicDistance(q.plan.gap);
  if (L === 0) return null;
  const lost = q.strategies.filter(measured).flatMap((s) => {
    const w = readWindowLabel(s.label);
    return w && w.sinks === 0 && w.window <= d ? [{ s, W: w.window, reach: L * (w.window - 1) }] : [];
  });
  const gets = lost.filter((x) => x.reach >= d && !r.loses.includes(x.s));
  if (gets.length === 0) return null;
  const short = lost.filter((x) => x.reach < d);
  const weak = lost.filter((x) => x.reach >= d && !r.keeps.includes(x.s));
  return `A window of W keeps the last W positions, so every window of ${d} or fewer has dropped the topic's row from the keys of the query that must name it. ` +
    `Yet ${list(gets.map((x) => withShare(x.s)))} name${gets.length === 1 ? "s" : ""} it: a query at layer L reads rows that were computed from the W positions before them, so it reaches back L·(W−1) positions (${L} layers here: ${list([...new Set(gets.map((x) => x.W))].map((W) => `${L}·${W - 1} = ${L * (W - 1)} at W = ${W}`))}), and the topic reaches the last query through the rows in between when it lies within that reach. ` +
    `The reach is necessary${short.length ? `: ${list(short.map((x) => withShare(x.s)))} reach${short.length === 1 ? "es" : ""} back only ${list([...new Set(short.map((x) => x.W))].map((W) => `${L}·${W - 1} = ${L * (W - 1)} (W = ${W})`))} positions, fewer than ${d}, and cannot see the topic at all` : ""}. ` +
    `It is not sufficient: the model must also have learned to pass the topic on from row to row${weak.length ? `, and ${list(weak.map((x) => `${withShare(x.s)}, with a reach of ${x.reach},`))} ${weak.length === 1 ? "does" : "do"} not keep it as <code>full</code> does` : ""}.`;
}
