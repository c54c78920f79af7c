// The report's section on speculative decoding: what the measurement (speculative.ts) derives to — the
// speedup over the rounds and whether the rounds agree on which side of 1× it lies, the acceptance, and the
// cost model of a round built from the timed single passes — drawn as one Plotly figure, with the
// explanation and a table generated from the numbers. Pure: results in, figure and HTML out.
import { configFromJson, weightMacsPerToken } from "@tinylm/model";
import { errorBars, layout, LEGEND_BELOW, type Figure } from "./figures.js";
import { escapeHtml, formatBytes, formatMs, formatRatio, sig3 } from "./format.js";
import type { Spread } from "./results.js";
import type { SpeculativePoint, SpeculativeResults } from "./speculative.js";
import { median, spread } from "./stats.js";

/** Which side of 1× every round fell on: all faster, all slower, or both (the rounds disagree: noise, not a result). */
export type Verdict = "faster" | "slower" | "undecided";

export interface SpeculativePointAnalysis {
  readonly k: number;
  readonly speedups: number[]; // [rounds]: plain ms ÷ speculative ms, neighbouring runs
  readonly speedup: Spread;
  readonly verdict: Verdict;
  readonly acceptance: number; // greedy: accepted ÷ proposed
  readonly sampledAcceptance: number; // temperature 1
  readonly tokensPerPass: number; // measured: generated tokens ÷ target passes
  readonly modelTokensPerPass: number; // (1 − α^(k+1)) / (1 − α)
  readonly passCost: number; // C: a target pass over k + 1 tokens ÷ one over 1 token (median of the rounds' ratios)
  readonly roundCost: number; // k·c + C, in target passes over one token
  readonly predicted: number; // modelTokensPerPass ÷ roundCost
  readonly memoryBound: number; // modelTokensPerPass ÷ (k·c + 1): if a pass over k + 1 tokens cost one pass
  readonly perfectDraft: number; // (k + 1) ÷ roundCost: a draft that is always right
  readonly breakEvenAlpha: number | null; // the α at which predicted = 1 (null: none suffices)
}

export interface SpeculativeAnalysis {
  readonly targetPassMs: number; // one target pass over 1 token, median over the pass rounds
  readonly draftPassMs: number;
  readonly c: number; // a draft pass ÷ a target pass, one token each (median of the rounds' ratios)
  readonly alpha: number; // per-proposal acceptance, from the smallest k
  readonly alphaK: number;
  readonly plainMsPerToken: number; // median over every plain run
  readonly extraTokenCost: number; // (C − 1) ÷ k at the largest k: what one more token in a pass adds
  readonly weightBytes: number; // the target's weight matrices, float32, read once per pass
  readonly points: SpeculativePointAnalysis[];
  readonly faster: number[]; // the k of each verdict
  readonly slower: number[];
  readonly undecided: number[];
  readonly differing: number[]; // k whose speculative tokens differed from the plain run's (must be empty)
}

/** Expected tokens a round yields when each of k proposals is kept with probability α: 1 + α + … + α^k = (1 − α^(k+1)) / (1 − α). */
export function tokensPerRound(alpha: number, k: number): number {
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += alpha ** i;
  return sum;
}

/** The x in [0, 1] where the increasing f(x) reaches y (bisection). */
function solve(f: (x: number) => number, y: number): number {
  let lo = 0, hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < y) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * α from accepted ÷ proposed at k: with independent acceptances a round keeps α + α² + … + α^k of its k
 * proposals on average (later ones are scored but never kept once one is rejected); at k = 1 the rate is α.
 */
export function alphaFromRate(rate: number, k: number): number {
  return solve((a) => (tokensPerRound(a, k) - 1) / k, rate);
}

/** The α at which a round's tokens pay its cost (null when even α = 1 does not). */
export function breakEvenAlpha(roundCost: number, k: number): number | null {
  if (roundCost <= 1) return 0;
  if (roundCost > k + 1) return null;
  return solve((a) => tokensPerRound(a, k), roundCost);
}

export function verdictOf(speedups: readonly number[]): Verdict {
  if (Math.min(...speedups) > 1) return "faster";
  if (Math.max(...speedups) < 1) return "slower";
  return "undecided";
}

export function analyzeSpeculation(r: SpeculativeResults): SpeculativeAnalysis {
  const perRound = (ms: readonly number[]): number => median(ms.map((x, i) => x / r.targetPassMs[i]!)); // a ratio within one round: the same load
  const c = perRound(r.draftPassMs);
  const first = r.points[0]!;
  const alpha = alphaFromRate(first.accepted / first.proposed, first.k);
  const points = r.points.map((p: SpeculativePoint): SpeculativePointAnalysis => {
    const speedups = p.ms.map((ms, i) => p.plainMs[i]! / ms);
    const passCost = perRound(p.passMs);
    const roundCost = p.k * c + passCost;
    const modelTokensPerPass = tokensPerRound(alpha, p.k);
    return {
      k: p.k, speedups, speedup: spread(speedups), verdict: verdictOf(speedups),
      acceptance: p.accepted / p.proposed, sampledAcceptance: p.sampled.accepted / p.sampled.proposed,
      tokensPerPass: r.tokens / p.targetPasses, modelTokensPerPass,
      passCost, roundCost, predicted: modelTokensPerPass / roundCost, memoryBound: modelTokensPerPass / (p.k * c + 1),
      perfectDraft: (p.k + 1) / roundCost, breakEvenAlpha: breakEvenAlpha(roundCost, p.k),
    };
  });
  const last = points[points.length - 1]!;
  const ks = (v: Verdict) => points.filter((p) => p.verdict === v).map((p) => p.k);
  return {
    targetPassMs: median(r.targetPassMs), draftPassMs: median(r.draftPassMs), c, alpha, alphaK: first.k,
    plainMsPerToken: median(r.points.flatMap((p) => p.plainMs)) / r.tokens,
    extraTokenCost: (last.passCost - 1) / last.k,
    weightBytes: 4 * weightMacsPerToken(configFromJson(r.targetConfig)).total,
    points, faster: ks("faster"), slower: ks("slower"), undecided: ks("undecided"),
    differing: r.points.filter((p) => !p.sameTokens).map((p) => p.k),
  };
}

const pct = (x: number): string => `${sig3(100 * x)}%`;
const kList = (ks: readonly number[]): string => ks.join(", ");
const range = (s: Spread): string => `${sig3(s.min)}–${formatRatio(s.max)}`;

/** Speedup (left) and acceptance (right) against k; open markers where the rounds fell on both sides of 1×. */
export function speculativeFigure(r: SpeculativeResults, a: SpeculativeAnalysis = analyzeSpeculation(r)): Figure {
  const k = a.points.map((p) => p.k);
  const med = a.points.map((p) => p.speedup.median);
  const acceptance = (name: string, y: number[], dash: string) => ({
    type: "scatter", mode: "lines+markers", name, x: k, y: y.map((x) => 100 * x), yaxis: "y2",
    line: { color: "#ff7f0e", dash, width: 1.5 }, marker: { symbol: "diamond", size: 7 }, hovertemplate: `${name}<br>k = %{x}: %{y:.1f}%<extra></extra>`,
  });
  return {
    id: "plot-speculative",
    data: [
      {
        type: "scatter", mode: "lines+markers", name: `measured speedup (median of ${r.rounds} rounds; bar: slowest–fastest; open: rounds on both sides of 1×)`, x: k, y: med,
        error_y: errorBars(med, a.points.map((p) => p.speedup.min), a.points.map((p) => p.speedup.max)), line: { color: "#2ca02c" },
        marker: { size: 8, symbol: a.points.map((p) => (p.verdict === "undecided" ? "circle-open" : "circle")) },
        hovertemplate: "k = %{x}: %{y:.3g}×<extra></extra>",
      },
      { type: "scatter", mode: "lines", name: "cost model: (1 − α^(k+1))/(1 − α) ÷ (k·c + C(k+1)), timed passes", x: k, y: a.points.map((p) => p.predicted), line: { color: "#555", dash: "dash" } },
      { type: "scatter", mode: "lines", name: "if a pass over k + 1 tokens cost one pass (memory-bound): ÷ (k·c + 1)", x: k, y: a.points.map((p) => p.memoryBound), line: { color: "#9467bd", dash: "dot" } },
      acceptance("draft tokens accepted, greedy (right axis)", a.points.map((p) => p.acceptance), "solid"),
      acceptance(`accepted, sampled at temperature 1 (right axis)`, a.points.map((p) => p.sampledAcceptance), "dot"),
    ],
    layout: layout(
      `Speculative decoding: ${r.target} drafted by ${r.draft}, speedup and acceptance against k`,
      { title: { text: "k: draft tokens proposed per target pass" }, dtick: 1 },
      { title: { text: "speedup over plain cached decoding (×)" }, rangemode: "tozero" },
      {
        yaxis2: { title: { text: "draft tokens accepted (%)" }, overlaying: "y", side: "right", range: [0, 100], tickmode: "linear", dtick: 20, showgrid: false, zeroline: false },
        shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 1, y1: 1, line: { color: "#aaa", dash: "dot", width: 1 } }],
        annotations: [{ xref: "paper", x: 0, y: 1, text: "1×: break-even", showarrow: false, xanchor: "left", yanchor: "bottom", font: { size: 11, color: "#777" } }],
        ...LEGEND_BELOW,
        margin: { l: 70, r: 70, t: 50, b: 40 },
      },
    ),
  };
}

/** What was measured, and whether speculation won: claimed only where every round agrees. */
function outcome(r: SpeculativeResults, a: SpeculativeAnalysis): string[] {
  const at = (k: number) => a.points.find((p) => p.k === k)!;
  const first = a.points[0]!, last = a.points[a.points.length - 1]!;
  const exact = a.differing.length === 0
    ? "Every speculative run generated exactly the plain run's tokens, as greedy speculation must."
    : `<b>Warning:</b> at k = ${kList(a.differing)} a speculative run generated different tokens from the plain run; greedy speculation must reproduce them exactly, so these numbers measure a bug.`;
  const setup = `Target <code>${escapeHtml(r.target)}</code> (${r.targetConfig["n_layers"]} blocks), draft <code>${escapeHtml(r.draft)}</code> (${r.draftConfig["n_layers"]} block${r.draftConfig["n_layers"] === 1 ? "" : "s"}), <code>full</code> caches, ` +
    `${r.tokens} greedy tokens after “${escapeHtml(r.prompt)}”, ${r.rounds} rounds. In every round each k ran right after a plain cached run of the target, so each speedup (plain time ÷ speculative time) compares two neighbouring runs that saw the same load; ` +
    `the plot shows the median over the rounds and, as a bar, the slowest and the fastest. Plain cached decoding took ${formatMs(a.plainMsPerToken)} per token (median). ${exact}`;
  const verdict: string[] = [];
  if (a.slower.length === a.points.length) {
    verdict.push(`<b>Speculative decoding was slower than plain decoding at every k, in every round</b>: the median speedup was ${formatRatio(first.speedup.median)} at k = ${first.k} (rounds ${range(first.speedup)}) and ${formatRatio(last.speedup.median)} at k = ${last.k} (${range(last.speedup)}).`);
  } else {
    if (a.faster.length > 0) {
      const best = [...a.faster].map(at).sort((x, y) => y.speedup.median - x.speedup.median)[0]!;
      verdict.push(`<b>Speculative decoding was faster at k = ${kList(a.faster)}, in every round</b>: best ${formatRatio(best.speedup.median)} at k = ${best.k} (${range(best.speedup)} over the rounds).`);
    }
    if (a.slower.length > 0) verdict.push(a.faster.length > 0 ? `It was slower at k = ${kList(a.slower)}, in every round.` : `<b>Speculative decoding was slower than plain decoding at k = ${kList(a.slower)}, in every round.</b>`);
    if (a.undecided.length > 0) {
      const lo = Math.min(...a.undecided.map((k) => at(k).speedup.min)), hi = Math.max(...a.undecided.map((k) => at(k).speedup.max));
      verdict.push(`<b>At k = ${kList(a.undecided)} the rounds disagree</b>: their speedups run from ${formatRatio(lo)} to ${formatRatio(hi)}, on both sides of 1×, so this run cannot tell whether speculation wins there. ` +
        `That is the machine's noise, not a result; rerun with more <code>--speculative-rounds</code> on a quieter machine.`);
    }
  }
  return [setup, verdict.join(" ")];
}

/** The cost model of a round, with this run's numbers, against what was measured. */
function costModel(r: SpeculativeResults, a: SpeculativeAnalysis): string {
  const first = a.points[0]!, last = a.points[a.points.length - 1]!;
  const ratios = a.points.map((p) => p.speedup.median / p.predicted);
  return `Why, in numbers. A round costs k draft passes and one target pass over k + 1 tokens, and keeps the accepted proposals plus one token of the target's. ` +
    `If each proposal is accepted with probability α, independently, a round yields (1 − α<sup>k+1</sup>)/(1 − α) tokens on average. ` +
    `Here α = ${pct(a.alpha)} (the greedy acceptance at k = ${a.alphaK}): the formula gives ${sig3(first.modelTokensPerPass)} tokens per target pass at k = ${first.k} and ${sig3(last.modelTokensPerPass)} at k = ${last.k}; measured, ${sig3(first.tokensPerPass)} and ${sig3(last.tokensPerPass)}. ` +
    `(Accepted ÷ proposed falls with k even at a constant α: proposals after the first rejection are scored but never kept.) ` +
    `Timed at position ${r.position} (${r.passRounds} rounds of ${r.passReps} passes of each kind, interleaved; medians): a target pass over one token takes ${formatMs(a.targetPassMs)}, a draft pass ${formatMs(a.draftPassMs)}, so a draft pass costs c = ${sig3(a.c)} of a target pass; ` +
    `a target pass over k + 1 tokens costs C = ${sig3(first.passCost)} single passes at k = ${first.k} and ${sig3(last.passCost)} at k = ${last.k}. ` +
    `So the speedup is about (1 − α<sup>k+1</sup>)/(1 − α) ÷ (k·c + C): ${formatRatio(first.predicted)} at k = ${first.k} (measured ${formatRatio(first.speedup.median)}) and ${formatRatio(last.predicted)} at k = ${last.k} (measured ${formatRatio(last.speedup.median)}). ` +
    `The measured medians are ${sig3(Math.min(...ratios))}–${sig3(Math.max(...ratios))} of the model's` +
    `${Math.max(...ratios) < 1 ? ": below it at every k, as they should be, since the timed passes leave out the loop's own work (two softmaxes and an acceptance test per proposal, the rollbacks) that the runs include." : "."}`;
}

/** When speculation wins, and whether this model's passes allow it. */
function whenItWins(r: SpeculativeResults, a: SpeculativeAnalysis): string[] {
  const first = a.points[0]!, last = a.points[a.points.length - 1]!;
  const hopeless = a.points.filter((p) => p.breakEvenAlpha === null);
  const bestPerfect = [...a.points].sort((x, y) => y.perfectDraft - x.perfectDraft)[0]!;
  const bestMemory = [...a.points].sort((x, y) => y.memoryBound - x.memoryBound)[0]!;
  const breakEven = first.breakEvenAlpha === null
    ? `at k = ${first.k} no draft suffices, not even one that is always right`
    : `at k = ${first.k} needs α ≥ ${pct(first.breakEvenAlpha)} (this draft's is ${pct(a.alpha)})`;
  const perfect = hopeless.length > 0
    ? `At k = ${kList(hopeless.map((p) => p.k))} no draft suffices: a round costs more than the k + 1 tokens it can at most yield, and even a draft that is always right would give ${formatRatio(last.perfectDraft)} at k = ${last.k}.`
    : `A draft that is always right would give at most ${formatRatio(bestPerfect.perfectDraft)} (k = ${bestPerfect.k}).`;
  const wins = `It wins when a round yields more tokens than it costs target passes: (1 − α<sup>k+1</sup>)/(1 − α) > k·c + C, so with a cheap draft (small c) that agrees often (α near 1) and a target whose pass over k + 1 tokens costs about one pass (C ≈ 1). ` +
    `With this run's c and C, breaking even ${breakEven}. ${perfect}`;
  const x = a.extraTokenCost;
  const bound = `Each token a target pass carries beyond the first adds ${sig3(x)} of a single pass here (k = ${last.k}: ${sig3(last.passCost)} single passes for ${last.k + 1} tokens); the target's weight matrices, read once per pass, are ${formatBytes(a.weightBytes)} as float32.`;
  const regime = x >= 0.5
    ? ` So a pass's cost grows with the tokens in it: at this size, decode at small t is bound by arithmetic, not by reading the weights from memory, and verifying k proposals in one pass saves little over computing them one by one.`
    : x <= 0.2
      ? ` So extra tokens ride along nearly free, as in a step bound by reading the weights from memory: the regime speculation is built for.`
      : ` So a pass's cost grows with the tokens in it, though by less than a pass each: verifying in one pass saves part of the cost, not all.`;
  const memory = `If a pass over k + 1 tokens cost what a pass over one does, the speedup would be (1 − α<sup>k+1</sup>)/(1 − α) ÷ (k·c + 1): ${formatRatio(bestMemory.memoryBound)} at k = ${bestMemory.k} with this run's α and c (the dotted line).`;
  const sampled = `Sampled at temperature 1 (seeded, untimed), min(1, p/q) accepted ${pct(first.sampledAcceptance)} of the proposals at k = ${first.k} against ${pct(first.acceptance)} greedy` +
    `${first.sampledAcceptance > first.acceptance ? ": it credits overlapping distributions, not only matching argmaxes." : "."}`;
  return [wins, `${bound}${regime} ${memory}`, sampled];
}

/** The prose beside the plot. */
export function speculativeExplanation(r: SpeculativeResults, a: SpeculativeAnalysis = analyzeSpeculation(r)): string[] {
  return [...outcome(r, a), costModel(r, a), ...whenItWins(r, a)];
}

const VERDICT_TEXT: Record<Verdict, string> = { faster: "faster", slower: "slower", undecided: "rounds disagree" };

/** Every k in a table under the plot. */
export function speculativeTable(r: SpeculativeResults, a: SpeculativeAnalysis = analyzeSpeculation(r)): string {
  const head = "<tr><th>k</th><th>accepted (greedy)</th><th>accepted (t = 1)</th><th>tokens per target pass (model)</th><th>C: pass of k + 1 ÷ 1 token</th><th>ms per token</th><th>speedup: median (rounds)</th><th>cost model</th><th>every round</th></tr>";
  const rows = a.points.map((p, i) =>
    `<tr><td>${p.k}</td><td>${pct(p.acceptance)}</td><td>${pct(p.sampledAcceptance)}</td><td>${sig3(p.tokensPerPass)} (${sig3(p.modelTokensPerPass)})</td><td>${sig3(p.passCost)}</td>` +
    `<td>${formatMs(median(r.points[i]!.ms) / r.tokens)}</td><td>${formatRatio(p.speedup.median)} (${range(p.speedup)})</td><td>${formatRatio(p.predicted)}</td><td>${VERDICT_TEXT[p.verdict]}</td></tr>`);
  return `<table><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>`;
}

/** What `node dist/speculative.js` prints. */
export function speculativeLines(r: SpeculativeResults, a: SpeculativeAnalysis = analyzeSpeculation(r)): string[] {
  const strip = (html: string): string => html.replace(/<sup>(.*?)<\/sup>/g, "^($1)").replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return [
    `target ${r.target} (${r.targetConfig["n_layers"]} blocks), draft ${r.draft} (${r.draftConfig["n_layers"]}), full caches; ${r.tokens} greedy tokens after "${r.prompt}", ${r.rounds} rounds, each k right after a plain run`,
    `plain cached decoding ${a.plainMsPerToken.toFixed(4)} ms/token; at position ${r.position}: target pass ${a.targetPassMs.toFixed(4)} ms, draft pass ${a.draftPassMs.toFixed(4)} ms (c = ${a.c.toFixed(2)}); alpha = ${(100 * a.alpha).toFixed(1)}%`,
    "k  accepted  accepted(t=1)  tokens/pass (model)  C(k+1)  speedup median (range)   model  every round",
    ...a.points.map((p) =>
      `${String(p.k).padEnd(2)} ${pct(p.acceptance).padStart(8)}  ${pct(p.sampledAcceptance).padStart(13)}  ${`${p.tokensPerPass.toFixed(2)} (${p.modelTokensPerPass.toFixed(2)})`.padStart(19)}  ${p.passCost.toFixed(2).padStart(6)}  ` +
      `${`${p.speedup.median.toFixed(2)}x (${p.speedup.min.toFixed(2)}-${p.speedup.max.toFixed(2)}x)`.padEnd(23)}  ${`${p.predicted.toFixed(2)}x`.padStart(5)}  ${VERDICT_TEXT[p.verdict]}`),
    ...speculativeExplanation(r, a).slice(1).map(strip),
  ];
}
