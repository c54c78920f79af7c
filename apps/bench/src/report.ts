// buildReport: results -> one self-contained HTML page (Plotly inlined, results and figures inlined as
// JSON, no network request). Pure: the caller reads the Plotly bundle and passes it in.
import { analyze } from "./analysis.js";
import { explain, logitErrorNote, type Explanation } from "./explain.js";
import { buildFigures, type Figure } from "./figures.js";
import { escapeHtml, formatBytes, formatInt, formatMs } from "./format.js";
import { cpuLabel } from "./machine.js";
import type { BenchResults } from "./results.js";
import { analyzeSpeculation, speculativeExplanation, speculativeFigure, speculativeTable } from "./speculative-section.js";
import { qualityExplanation, qualityFigures, qualityTable } from "./strategy-quality.js";

/** JSON that is safe inside <script>: "<" is escaped, so no "</script>" can end the element early. */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1400px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 0 0 8px; }
.summary { font-size: 22px; font-weight: 600; margin: 8px 0 4px; color: #14532d; }
.noise { background: #fff7e6; border: 1px solid #f0b429; border-radius: 8px; padding: 10px 14px; margin: 6px 0 12px; font-size: 15px; }
.meta { color: #666; font-size: 13px; margin: 0 0 20px; }
.row { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; align-items: start;
  background: #fff; border: 1px solid #e5e5e5; border-radius: 8px; padding: 16px; margin: 0 0 18px; }
.prose p { margin: 0 0 10px; } .prose ul { margin: 0 0 10px; padding-left: 20px; }
.wide { grid-column: 1 / -1; overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #eee; padding: 3px 10px; text-align: right; white-space: nowrap; } th:first-child, td:first-child { text-align: left; }
.method { background: #fff; border: 1px solid #e5e5e5; border-radius: 8px; padding: 16px; font-size: 14px; }
.note { font-size: 13px; color: #444; margin: 6px 0 0; }
code { font-size: 13px; background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
@media (max-width: 900px) { .row { grid-template-columns: 1fr; } }
`;

// Draws every figure; body[data-plots] says when it is done (the number drawn) or "error".
const PAGE_SCRIPT = `
(function () {
  var figures = JSON.parse(document.getElementById("bench-figures").textContent);
  var config = { displaylogo: false, displayModeBar: false, responsive: true };
  Promise.all(figures.map(function (f) { return Plotly.newPlot(f.id, f.data, f.layout, config); }))
    .then(function () { document.body.dataset.plots = String(figures.length); })
    .catch(function (e) { document.body.dataset.plots = "error"; console.error(e); });
})();
`;

/** Strategies down, lengths across: mean time per token and memory allocated / in use at each length. */
function strategyTable(r: BenchResults): string {
  const lengths = r.settings.strategyLengths;
  const kinds = [...new Set(r.strategies.map((s) => s.kind))];
  const head = `<tr><th>strategy</th><th>keeps (positions)</th>${lengths.map((L) => `<th>n = ${formatInt(L)}: time / token (fastest–slowest repeat), memory</th>`).join("")}</tr>`;
  const rows = kinds.map((kind) => {
    const points = lengths.map((L) => r.strategies.find((s) => s.kind === kind && s.length === L));
    const capacity = points[0]?.capacity;
    const cells = points.map((s) => (s ? `<td>${formatMs(s.msPerToken.min)}${s.msPerToken.max > s.msPerToken.min ? `–${formatMs(s.msPerToken.max)}` : ""} · ${formatBytes(s.bytes.allocated)} <small>(${formatBytes(s.bytes.used)} used)</small></td>` : "<td></td>"));
    return `<tr><td>${escapeHtml(kind)}</td><td>${capacity === null || capacity === undefined ? "all" : formatInt(capacity)}</td>${cells.join("")}</tr>`;
  });
  const e = r.int8Error;
  const note = e === null ? "" : `<p class="note">${escapeHtml(e.kind)}: ${logitErrorNote(e)}, teacher-forced on full's tokens.</p>`;
  return `<table><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>${note}`;
}

/** One plot with its explanation beside it; `wide` goes under both, full width; `id` names the section (a link target). */
function row(figure: Figure, title: string, paragraphs: readonly string[], wide = "", id = ""): string {
  const prose = paragraphs.map((p) => (p.startsWith("<ul>") ? p : `<p>${p}</p>`)).join("\n");
  return `<section class="row"${id ? ` id="${id}"` : ""}><div class="plot" id="${figure.id}"></div><div class="prose"><h2>${title}</h2>\n${prose}</div>${wide ? `<div class="wide">${wide}</div>` : ""}</section>`;
}

/** The whole page. `plotlyJs` is the text of plotly.js-dist-min's bundle. */
export function buildReport(results: BenchResults, plotlyJs: string): string {
  if (/<\/script/i.test(plotlyJs)) throw new Error("buildReport: the Plotly bundle contains \"</script\", so it cannot be inlined; expected plotly.js-dist-min's plotly.min.js");
  const analysis = analyze(results);
  const figures = buildFigures(results, analysis);
  const text: Explanation = explain(results, analysis);
  const [triangle, time, logLog, speedup, strategies, positions] = figures as [Figure, Figure, Figure, Figure, Figure, Figure];
  const quality = results.quality ?? null;
  const qualityFigs = quality ? qualityFigures(quality) : [];
  const qualityText = quality ? qualityExplanation(quality) : null;
  const qualityRows = quality && qualityText
    ? [
      row(qualityFigs[0]!, "What each strategy gives up: quality against memory", qualityText.memory, qualityTable(quality)),
      row(qualityFigs[1]!, "Perplexity against position: windows, sinks and where positions come from", qualityText.position),
      row(qualityFigs[2]!, "The far dependency: which strategies keep the topic", qualityText.far),
      row(qualityFigs[3]!, "Attention sinks: measured, not assumed", qualityText.mass),
    ].join("\n")
    : "";
  const speculative = results.speculative ?? null;
  const speculativeAnalysis = speculative ? analyzeSpeculation(speculative) : null;
  const speculativeFigs = speculative && speculativeAnalysis ? [speculativeFigure(speculative, speculativeAnalysis)] : [];
  const speculativeRow = speculative && speculativeAnalysis
    ? row(speculativeFigs[0]!, "Speculative decoding: a draft proposes, the target verifies", speculativeExplanation(speculative, speculativeAnalysis), speculativeTable(speculative, speculativeAnalysis), "speculative")
    : "";
  const m = results.machine;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tinylm: generation with and without the KV cache</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>tinylm: generation time with and without the KV cache</h1>
<p class="summary" id="summary">${escapeHtml(text.summary)}</p>
${text.noise ? `<p class="noise" id="noise">${text.noise}</p>` : ""}
<p class="meta">${escapeHtml(cpuLabel(m))} · ${m.cores} cores · Node ${escapeHtml(m.node)} · ${escapeHtml(results.date)} · d_model ${results.config.d_model}, ${results.config.n_layers} layers, context_length ${results.config.context_length} · ${escapeHtml(results.settings.backend)} kernels · ${results.settings.repeats} repeat(s)${results.settings.quick ? " · quick run" : ""}</p>
${row(triangle, "What a step recomputes: the walk-through", text.walkThrough)}
${row(time, "Why the no-cache curve grows much faster", text.growth)}
${row(logLog, "Power laws", text.powerLaws)}
${row(speedup, "The rate improvement", text.rate)}
${row(strategies, "Cache strategies", text.strategies, strategyTable(results))}
${row(positions, "Where the measurements depart from the model", text.departures)}
${qualityRows}
${speculativeRow}
<section class="method"><h2>How this was measured</h2>
${text.method.map((p) => `<p>${p}</p>`).join("\n")}
</section>
</main>
<script type="application/json" id="bench-results">${scriptJson(results)}</script>
<script type="application/json" id="bench-figures">${scriptJson([...figures, ...qualityFigs, ...speculativeFigs])}</script>
<script>${plotlyJs}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
