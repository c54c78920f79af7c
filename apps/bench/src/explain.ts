// The report's prose: why the curves look as they do, with every number taken from this run's results and
// the cost model (analysis.ts), never typed in. Returns HTML fragments (the only inputs that are not
// numbers, strategy names and the sample text, are escaped).
import { parameterSpecs } from "@tinylm/model";
import type { Analysis } from "./analysis.js";
import { escapeHtml, formatBytes, formatCount, formatInt, formatMs, formatRatio, sig3 } from "./format.js";
import type { CpuCache } from "./machine.js";
import type { BenchResults, LogitError, SeparateRun, StrategyPoint } from "./results.js";

export interface Explanation {
  readonly summary: string; // one line, plain text
  readonly growth: string[]; // next to plot 1: why no-cache grows faster
  readonly powerLaws: string[]; // next to plot 2
  readonly rate: string[]; // next to plot 3: the rate improvement
  readonly strategies: string[]; // next to plot 4
  readonly departures: string[]; // next to plot 5: where the measurements leave the model
  readonly method: string[]; // how it was measured
}

/** What each known strategy does (the list of strategies itself comes from the results). */
const STRATEGY_NOTES: Record<string, string> = {
  none: "keeps nothing and recomputes every key and value each step",
  full: "preallocates context_length rows of K and V per layer",
  paged: "allocates K and V in fixed-size blocks as the sequence grows",
  "sliding-window": "keeps only the last W positions, so memory and attention stay bounded",
  sinks: "keeps the first few positions (attention sinks) plus a sliding window",
  int8: "stores K and V rows quantized to 8 bits with a scale per row",
};

const f2 = (x: number): string => x.toFixed(2);

/** A relative difference with its sign: 0.0123 -> "+1.23%", -0.004 -> "−0.4%". */
export const signedPercent = (x: number): string => `${x < 0 ? "−" : "+"}${sig3(Math.abs(x) * 100)}%`;

/** "max |Δlogit| vs full 0.012 over 1,000 steps" (plain text, for the prose and the table). */
export const logitErrorNote = (e: LogitError): string => `max |Δlogit| vs full ${sig3(e.maxAbs)} over ${formatInt(e.steps)} steps`;

const cacheName = (c: CpuCache): string => `L${c.level}${c.type === "Data" ? "d" : ""}`;

/** Where `bytes` sits in the cache hierarchy: "fit in L2 (1 MiB) but not in L1d (32 KiB)". */
function placeIn(bytes: number, caches: readonly CpuCache[]): string {
  const i = caches.findIndex((c) => bytes <= c.bytes);
  const at = (c: CpuCache) => `${cacheName(c)} (${formatBytes(c.bytes)})`;
  if (i === 0) return `fit in ${at(caches[0]!)}`;
  if (i > 0) return `fit in ${at(caches[i]!)} but not in ${at(caches[i - 1]!)}`;
  return `are larger than ${at(caches[caches.length - 1]!)}, so they stream from memory`;
}

/** The one-line result: "At 1000 tokens the cache is 612× faster (352 s without, 0.575 s with)." */
export function summaryLine(results: BenchResults, a: Analysis): string {
  const i = a.last;
  return `At ${formatInt(a.n[i]!)} tokens the cache is ${formatRatio(a.speedup.measured[i]!)} faster: ` +
    `${formatMs(results.sweep.none.medianMs[i]!)} without it, ${formatMs(results.sweep.full.medianMs[i]!)} with it.`;
}

function growth(results: BenchResults, a: Analysis): string[] {
  const { dModel: d, dFF: F, nLayers: L, vocabSize: V } = a.config;
  const lastNone = results.positions.none, lastFull = results.positions.full;
  const j = lastNone.position.length - 1;
  const t = lastNone.position[j];
  const paragraphs = [
    `Without a cache, the step that produces token <i>t</i> feeds the whole sequence of <i>t</i> tokens through the model again. ` +
      `Every layer recomputes the queries, keys and values of all <i>t</i> tokens, the output projection and the MLP: ` +
      `<i>t</i>·(4<i>d</i>² + 2<i>d</i>·<i>F</i>) multiply-adds, plus attention over <i>t</i>×<i>t</i> (query, key) pairs, 2<i>d</i> each. ` +
      `So one step is O(<i>t</i>·<i>d</i>²) + O(<i>t</i>²·<i>d</i>), and summed over <i>n</i> steps the total is O(<i>n</i>²·<i>d</i>²) + O(<i>n</i>³·<i>d</i>). ` +
      `The keys and values of the earlier tokens do not change when a token is added (causal attention: a token never looks ahead), so all of that is repeated work.`,
    `With the cache, each step feeds only the new token: its own projections and MLP, O(<i>d</i>²), and attention of its one query over the <i>t</i> stored keys, O(<i>t</i>·<i>d</i>). ` +
      `Summed: O(<i>n</i>·<i>d</i>²) + O(<i>n</i>²·<i>d</i>). One power of <i>n</i> less in both terms.`,
    `For this model (<i>d</i> = ${d}, <i>F</i> = ${F}, ${L} layers, <i>V</i> = ${V}) one token costs <i>W</i> = ${formatInt(a.weightMacs.total)} multiply-adds in the weight matrices ` +
      `(${formatInt(a.weightMacs.projections)} projections, ${formatInt(a.weightMacs.mlp)} MLP, ${formatInt(a.weightMacs.lmHead)} lm_head) and each (query, key) pair 2<i>d</i>·<i>L</i> = ${formatInt(a.pairMacs)}.`,
  ];
  if (t !== undefined) {
    paragraphs.push(
      `At the last step measured (position ${formatInt(t)}) a step without the cache took ${formatMs(lastNone.medianMs[j]!)}, ` +
        `with it ${formatMs(lastFull.medianMs[lastFull.medianMs.length - 1]!)}: the ${formatInt(a.n[a.last]!)}-token totals are ` +
        `${formatMs(results.sweep.none.medianMs[a.last]!)} and ${formatMs(results.sweep.full.medianMs[a.last]!)}.`,
    );
  }
  paragraphs.push(
    results.sameTokens
      ? `Both runs generated the same tokens (greedy decoding; “${escapeHtml(results.sampleText)}”): the cache changes the speed, not the result.`
      : `<b>Warning:</b> the runs with and without the cache generated different tokens; the cache should change the speed only.`,
  );
  return paragraphs;
}

function powerLaws(a: Analysis): string[] {
  const { none, full } = a.fits;
  const [n0, n1] = [a.n[0]!, a.n[a.last]!];
  return [
    `On log–log axes a power law time ∝ <i>n</i><sup><i>b</i></sup> is a straight line of slope <i>b</i>. ` +
      `Least-squares lines through the measured medians (all ${a.n.length} points, fitted on ln time against ln <i>n</i>): ` +
      `without the cache <i>b</i> = ${f2(none.exponent)} (R² ${none.r2.toFixed(3)}), with it <i>b</i> = ${f2(full.exponent)} (R² ${full.r2.toFixed(3)}).`,
    `Neither curve is a single power law over this range. The cost model's local slope for no cache goes from ${f2(a.modelSlopes.none[0])} at <i>n</i> = ${n0} ` +
      `to ${f2(a.modelSlopes.none[1])} at <i>n</i> = ${n1} (the <i>n</i>² weight term handing over to the <i>n</i>³ attention term), ` +
      `and for the cache from ${f2(a.modelSlopes.full[0])} to ${f2(a.modelSlopes.full[1])} (<i>n</i> toward <i>n</i>²). A single fitted exponent averages over that bend.`,
    `The dashed curves are the cost model in time: time ≈ <i>a</i>·<i>n</i> + <i>k</i>·(multiply-adds), with one time per multiply-add, <i>k</i> = ${sig3(a.msPerMac * 1e6)} ns, ` +
      `and one fixed cost per step, <i>a</i> = ${sig3(a.msPerStep * 1000)} µs, shared by both loops and fitted on all ${2 * a.n.length} points at once (least squares on the relative error). ` +
      `Two constants for two curves: the model stays within ${sig3(a.fitError.none * 100)}% of every no-cache point and ${sig3(a.fitError.full * 100)}% of every cache point.`,
  ];
}

function rate(results: BenchResults, a: Analysis): string[] {
  const i = a.last, N = a.n[i]!;
  const measured = a.speedup.measured[i]!, predicted = a.speedup.predicted[i]!;
  const dense = a.count === "dense";
  const limit = dense ? "2<i>n</i>/3" : "<i>n</i>/3";
  const mid = a.n.findIndex((x) => x >= a.crossover);
  const atCross = mid >= 0 && mid < i
    ? ` At <i>n</i> = ${formatInt(a.n[mid]!)}: measured ${formatRatio(a.speedup.measured[mid]!)}, multiply-adds ${formatRatio(a.speedup.predicted[mid]!)}, with the per-step cost ${formatRatio(a.speedup.modelled[mid]!)}.`
    : "";
  const kernels = dense
    ? `The ${escapeHtml(results.settings.backend)} kernels that ran here compute the whole <i>t</i>×<i>t</i> score matrix and mask it afterwards, so an uncached step does <i>t</i>² pairs per layer and <i>R</i> → Σ<i>t</i>² ÷ Σ<i>t</i> = 2<i>n</i>/3. A kernel that skipped the masked half would do <i>t</i>²/2 and the limit would be <i>n</i>/3.`
    : `The ${escapeHtml(results.settings.backend)} kernels that ran here skip the keys hidden by the causal mask, so an uncached step does <i>t</i>(<i>t</i>+1)/2 pairs per layer and <i>R</i> → Σ(<i>t</i>²/2) ÷ Σ<i>t</i> = <i>n</i>/3. (The JS reference kernels compute the whole <i>t</i>×<i>t</i> matrix and mask it afterwards; with them the limit is 2<i>n</i>/3.)`;
  return [
    `The speedup at <i>n</i> is the ratio of the two sums over the steps, <i>t</i> running over the sequence lengths: ` +
      `<i>R</i>(<i>n</i>) = Σ(<i>t</i>·<i>W</i> + 2<i>dL</i>·pairs(<i>t</i>)) ÷ Σ(<i>W</i> + 2<i>dL</i>·<i>t</i>), where pairs(<i>t</i>) is the (query, key) pairs an uncached step computes. ` +
      `While the weight matrices dominate, <i>R</i> ≈ Σ<i>t</i> ÷ Σ1 ≈ <i>n</i>/2: an uncached step does the work of <i>t</i> tokens, a cached one of one token, and the average <i>t</i> is about <i>n</i>/2.`,
    `Attention takes over past <i>t</i>* = <i>W</i> ÷ 2<i>dL</i> ≈ ${formatInt(a.crossover)} for this model (where a cached step's attention costs as much as its weights). ${kernels} ` +
      `Either way the improvement is a factor that grows linearly with <i>n</i>: the cache removes one power of <i>n</i> from both terms.`,
    `At <i>n</i> = ${formatInt(N)} the multiply-add counts predict ${formatRatio(predicted)} (${f2(predicted / N)}·<i>n</i>, between <i>n</i>/2 = ${formatInt(N / 2)} and ${limit} = ${formatInt(N * a.slopes.attention)}); ` +
      `measured: ${formatRatio(measured)} (${f2(measured / N)}·<i>n</i>; across repeats ${formatRatio(a.speedup.low[i]!)}–${formatRatio(a.speedup.high[i]!)}). ` +
      `That prediction has no fitted parameter: it is the ratio of the two counts. With the fitted per-step cost added (the dashed green curve) the model gives ${formatRatio(a.speedup.modelled[i]!)}.${atCross}`,
  ];
}

function departures(results: BenchResults, a: Analysis): string[] {
  const { none, full } = results.sweep;
  const i = a.last, p = results.settings.promptTokens;
  const n0 = a.n[0]!;
  const noneRatio = none.medianMs[i]! / a.predictedMs.none[i]!;
  const tMax = p + a.n[i]! - 1;
  const matrix = a.count === "dense"
    ? `, and the JS kernels materialise the whole score matrix (${formatBytes(tMax * tMax * 4)} at <i>t</i> = ${formatInt(tMax)}), which no longer fits in the CPU's fastest caches`
    : `, and the ${escapeHtml(results.settings.backend)} kernel still walks past each masked entry to skip it`;
  const ps = results.positions;
  const p0 = p + 1; // the first decode step's keys
  const arithmeticUs = a.msPerMac * (a.weightMacs.total + a.pairMacs * p0) * 1000;
  const fullRatio = full.medianMs[i]! / a.predictedMs.full[i]!;
  return [
    `The per-step cost <i>a</i> = ${sig3(a.msPerStep * 1000)} µs is what a step costs beyond its arithmetic: the calls through the ${a.config.nLayers} blocks and their kernels, ` +
      `moving operands to and from the kernels, small arrays allocated per op, the argmax, the loop's bookkeeping. ` +
      `A cached step near the start does only <i>k</i>·(<i>W</i> + 2<i>dL</i>·<i>t</i>) ≈ ${sig3(arithmeticUs)} µs of arithmetic, so its time is ${a.msPerStep * 1000 > arithmeticUs ? "mostly" : a.msPerStep > 0 ? "partly" : "hardly"} that fixed cost, ` +
      `while an uncached step over many tokens hardly notices it. This is why at <i>n</i> = ${n0} the measured speedup is ${formatRatio(a.speedup.measured[0]!)} where the multiply-adds alone predict ${formatRatio(a.speedup.predicted[0]!)} ` +
      `(with the per-step cost: ${formatRatio(a.speedup.modelled[0]!)}): the cache saves arithmetic, not overhead.`,
    `At <i>n</i> = ${formatInt(a.n[i]!)} the no-cache run took ${formatMs(none.medianMs[i]!)} against the model's ${formatMs(a.predictedMs.none[i]!)} (×${f2(noneRatio)}), ` +
      `the cached run ${formatMs(full.medianMs[i]!)} against ${formatMs(a.predictedMs.full[i]!)} (×${f2(fullRatio)}). One constant per multiply-add cannot be exact, because two effects pull in opposite directions. ` +
      `An uncached step multiplies each weight matrix by <i>t</i> rows at once, so every weight it loads is used <i>t</i> times and a kernel call's fixed cost is shared by <i>t</i> rows; a one-token step gets none of that. ` +
      `Against that, the count leaves out work that grows with <i>t</i>² per uncached step: the softmax's exponentials run over every entry of the <i>t</i>×<i>t</i> scores in each layer, masked ones included${matrix}. ` +
      `Measured per multiply-add, the uncached run costs ${sig3(a.nsPerMac.none[i]!)} ns at <i>n</i> = ${formatInt(a.n[i]!)} and the cached one ${sig3(a.nsPerMac.full[i]!)} ns (its per-step cost included).`,
    `Per step (plot 5) the cached step grows linearly with the position (its query attends to every stored key) and the uncached one faster than linearly: ` +
      `steps take ${formatMs(ps.full.medianMs[0]!)} (cache) and ${formatMs(ps.none.medianMs[0]!)} (no cache) at position ${ps.full.position[0]}, ` +
      `${formatMs(ps.full.medianMs.at(-1)!)} and ${formatMs(ps.none.medianMs.at(-1)!)} at position ${ps.full.position.at(-1)}. ` +
      `${positionsExtent(results)} Isolated spikes are most likely garbage collection or the operating system taking the CPU away.`,
    workingSet(results, a),
    `Repeats agreed within ${sig3(a.spreadRatio.none * 100)}% (no cache) and ${sig3(a.spreadRatio.full * 100)}% (cache) of the median at every point ` +
      `(the largest (max − min) ÷ median; ${results.settings.repeats} repeat${results.settings.repeats === 1 ? "" : "s"}).`,
  ];
}

/** Where plot 5's positions end, and why. */
function positionsExtent(results: BenchResults): string {
  const C = Number(results.config.context_length);
  const last = results.positions.full.position.at(-1)!;
  return last >= C - 1
    ? `The long runs went on to position ${formatInt(last)}, the last of the context (context_length ${formatInt(C)}).`
    : `The long runs stopped at position ${formatInt(last)}, the sweep's largest <i>n</i>: going on to context_length ${formatInt(C)} would have made this run much longer.`;
}

/** The working set of a step (weights, K/V at the largest n, the score matrix) against the CPU's caches. */
function workingSet(results: BenchResults, a: Analysis): string {
  const N = a.n[a.last]!, p = results.settings.promptTokens;
  const { nLayers: L, dModel: d, dFF: F } = a.config;
  const params = parameterSpecs(a.config).reduce((sum, spec) => sum + spec.shape.reduce((x, y) => x * y, 1), 0);
  const weights = a.weightMacs.total * 4; // every weight-matrix entry is used once per token: W multiply-adds, W floats
  const perPosition = 2 * L * d * 4;
  const kv = results.strategies.find((s) => s.kind === "full" && s.length === N)?.bytes.used ?? perPosition * (p + N - 1);
  const tMax = p + N - 1;
  const caches = results.machine.caches;
  const where = caches.length === 0
    ? "This system did not report its CPU cache sizes, so they cannot be compared here."
    : `This CPU's caches: ${caches.map((c) => `${cacheName(c)} ${formatBytes(c.bytes)}`).join(", ")}. The weights ${placeIn(weights, caches)}; weights and K/V together (${formatBytes(weights + kv)}) ${placeIn(weights + kv, caches)}.`;
  const scores = formatBytes(tMax * tMax * 4);
  const kernels = a.count === "dense"
    ? `The ${escapeHtml(results.settings.backend)} kernels that ran here also write each uncached step's whole <i>t</i>×<i>t</i> score matrix per layer (${scores} at <i>t</i> = ${formatInt(tMax)}); the wasm kernels keep one row of scores at a time instead.`
    : `The ${escapeHtml(results.settings.backend)} kernels that ran here keep one row of scores at a time (${formatBytes(tMax * 4)} at <i>t</i> = ${formatInt(tMax)}); the JS kernels would also write each uncached step's whole <i>t</i>×<i>t</i> score matrix per layer (${scores}).`;
  return `Caches. Every step reads all the weight matrices, ${formatBytes(weights)} as float32 (the whole model is ${formatInt(params)} parameters, ${formatBytes(params * 4)}, but of the embedding tables a step reads one row), ` +
    `and a cached step also reads K and V of every earlier position: ${formatBytes(perPosition)} per position, ${formatBytes(kv)} at <i>n</i> = ${formatInt(N)}. ` +
    `An uncached step writes K and V of the same size afresh, plus its [<i>t</i>, ${F}] MLP activations (${formatBytes(tMax * F * 4)} at <i>t</i> = ${formatInt(tMax)}). ${where} ${kernels}`;
}

/** Which caching strategy used least memory and which was fastest at length L (from the data). */
function ranking(cached: readonly StrategyPoint[], L: number): string[] {
  if (cached.length < 2) return [];
  const smallest = [...cached].sort((x, y) => x.bytes.allocated - y.bytes.allocated)[0]!;
  const fastest = [...cached].sort((x, y) => x.msPerToken.median - y.msPerToken.median)[0]!;
  return [
    `At ${formatInt(L)} tokens the smallest cache was <b>${escapeHtml(smallest.kind)}</b> (${formatBytes(smallest.bytes.allocated)}) and the fastest <b>${escapeHtml(fastest.kind)}</b> ` +
      `(${formatMs(fastest.msPerToken.median)} per token). Strategies that keep fewer positions trade memory and attention time for what the model can see; ` +
      `their tokens may differ from <code>full</code>'s once positions are evicted.`,
  ];
}

function strategies(results: BenchResults): string[] {
  const lengths = results.settings.strategyLengths;
  const L = lengths[lengths.length - 1]!;
  const atL = results.strategies.filter((s) => s.length === L);
  const e = results.int8Error;
  const error = (s: StrategyPoint): string =>
    e !== null && s.kind === e.kind
      ? `; ${logitErrorNote(e)} (teacher-forced on full's tokens; rms ${sig3(e.rms)}, against logits up to ${sig3(e.maxAbsLogit)} in size)`
      : "";
  const line = (s: StrategyPoint): string =>
    `<b>${escapeHtml(s.kind)}</b>${STRATEGY_NOTES[s.kind] ? ` ${STRATEGY_NOTES[s.kind]}` : ""}: ${formatMs(s.msPerToken.median)} per token, ` +
    `${formatBytes(s.bytes.allocated)} allocated (${formatBytes(s.bytes.used)} in use)${s.capacity === null || s.capacity === 0 ? "" : `, keeps ${formatInt(s.capacity)} positions`}${error(s)}.`;
  return [
    `Every cache strategy at ${lengths.map(formatInt).join(", ")} generated tokens: the mean time per generated token (total ÷ <i>n</i>, prefill included) and the cache's memory at the end. At ${formatInt(L)} tokens:`,
    `<ul>${atL.map((s) => `<li>${line(s)}</li>`).join("")}</ul>`,
    ...ranking(atL.filter((s) => s.kind !== "none"), L),
  ];
}

/** The long runs' clock against separate runs at one n, both numbers and the difference. */
function separateRuns(results: BenchResults): string {
  const { n, none, full } = results.separateRuns;
  const R = results.settings.repeats;
  const diff = (r: SeparateRun) => signedPercent(r.longRunMs / r.separateMs.median - 1);
  const range = (r: SeparateRun) => (R > 1 ? ` (${formatMs(r.separateMs.min)}–${formatMs(r.separateMs.max)})` : "");
  const same = none.sameTokens && full.sameTokens
    ? "Both generated the long runs' first tokens."
    : "<b>Warning:</b> a separate run generated different tokens from the long run's first ones.";
  return `Long run against separate runs, at <i>n</i> = ${formatInt(n)}: the long runs' clock read ${formatMs(none.longRunMs)} without the cache and ${formatMs(full.longRunMs)} with it; ` +
    `separate runs of exactly ${formatInt(n)} tokens took ${formatMs(none.separateMs.median)}${range(none)} and ${formatMs(full.separateMs.median)}${range(full)} ` +
    `(median of ${R}). The long runs differ by ${diff(none)} (no cache) and ${diff(full)} (cache). ${same}`;
}

function method(results: BenchResults): string[] {
  const s = results.settings;
  const m = results.machine;
  return [
    s.timing,
    separateRuns(results),
    `A warm-up run of ${s.warmupTokens} tokens per strategy came first (it lets V8 compile the hot loops). Each point is the median of ${s.repeats} repeat${s.repeats === 1 ? "" : "s"}; ` +
      `error bars show the fastest and slowest. Prompt “${escapeHtml(s.prompt)}” (${s.promptTokens} tokens), greedy decoding, ` +
      `${s.weights ? `weights from ${escapeHtml(s.weights)}` : `seeded weights (seed ${s.seed})`}, context_length ${results.config.context_length}.` +
      `${s.quick ? " This was a <b>--quick</b> run: a reduced sweep for a first look, not the full measurement." : ""}`,
    `Kernels: @tinylm/tensor's ${escapeHtml(s.backend)} backend. ${escapeHtml(m.cpu)}, ${m.cores} logical cores, ${m.memoryGiB} GiB, ${escapeHtml(m.platform)}, Node ${escapeHtml(m.node)}. ` +
      `${escapeHtml(results.date)}; the benchmark took ${formatMs(results.durationMs)}. Raw numbers: <code>results.json</code> next to this file.`,
    `Multiply-adds are counted from the config (<code>apps/bench/src/cost-model.ts</code>); one multiply-add is two FLOPs. LayerNorm, softmax, the mask and the residual adds are not counted.`,
  ];
}

/** All the prose of the report, from the results and their analysis. */
export function explain(results: BenchResults, a: Analysis): Explanation {
  return {
    summary: summaryLine(results, a),
    growth: growth(results, a),
    powerLaws: powerLaws(a),
    rate: rate(results, a),
    strategies: strategies(results),
    departures: departures(results, a),
    method: method(results),
  };
}
