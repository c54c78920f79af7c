// The report's prose: why the curves look as they do, with every number taken from this run's results and
// the cost model (analysis.ts), never typed in. Returns HTML fragments (the only inputs that are not
// numbers, strategy names and the sample text, are escaped).
import { parameterSpecs, speedupClosedForm, stepWalkThrough } from "@tinylm/model";
import { NOISE_THRESHOLD, type Analysis } from "./analysis.js";
import { escapeHtml, formatBytes, formatInt, formatMs, formatRatio, sig3 } from "./format.js";
import { cpuLabel, type CpuCache } from "./machine.js";
import type { BenchResults, LogitError, SeparateRun, StrategyPoint } from "./results.js";

export interface Explanation {
  readonly summary: string; // one line, plain text
  readonly noise: string; // beside the summary when the repeats disagreed (HTML), else ""
  readonly walkThrough: string[]; // next to the causal score triangle
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
  "sliding-window": "keeps only the last W positions in every layer, so memory and attention stay bounded",
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

const pct = (x: number): string => `${sig3(x * 100)}%`;

/**
 * The one-line result, never bolder than its evidence: a single ratio when the repeats agreed, the range
 * the repeats allow when they did not, "about" with one repeat (its noise was not measured).
 */
export function summaryLine(results: BenchResults, a: Analysis): string {
  const i = a.last, N = formatInt(a.n[i]!);
  const times = `${formatMs(a.time.none[i]!)} without it, ${formatMs(a.time.full[i]!)} with it`;
  if (a.noise.repeats === 1) return `At ${N} tokens the cache was about ${formatRatio(a.speedup.measured[i]!)} faster (one run each, noise not measured): ${times}.`;
  const agreed = Math.max(a.noise.spread.none[i]!, a.noise.spread.full[i]!) <= a.noise.threshold;
  if (!agreed) {
    return `At ${N} tokens the cache was ${formatRatio(a.speedup.low[i]!)} to ${formatRatio(a.speedup.high[i]!)} faster (repeats disagreed; fastest runs: ${times}).`;
  }
  return `At ${N} tokens the cache is ${formatRatio(a.speedup.measured[i]!)} faster: ${times} (fastest of ${a.noise.repeats} repeats).`;
}

/**
 * Shown at the top, beside the headline, when the numbers cannot be read as results: what went wrong, in
 * words, and what to do. Empty when the repeats agreed.
 */
export function noiseNote(results: BenchResults, a: Analysis): string {
  const z = a.noise;
  if (z.repeats === 1) {
    return `One run per point: how much these times vary on this machine was not measured, so every number below may be noise. ` +
      `For results, run <code>pnpm bench --repeats 3</code> (or more) with other programs closed.`;
  }
  if (!z.noisy) return "";
  const w = z.worst;
  const sep = separateDisagreement(results);
  return `<b>This machine was noisy during the run.</b> At ${z.disagreeing} of ${z.points} points the slowest of the ${z.repeats} repeats took more than ` +
    `${pct(z.threshold)} longer than the fastest (worst: ${pct(w.spread)} at <i>n</i> = ${formatInt(w.n)} ${w.kind === "none" ? "without" : "with"} the cache)${sep}. ` +
    `Each point below is the fastest repeat (load can only add time, so the fastest is the least disturbed), and ratios are given as ranges where the repeats allow more than one; ` +
    `read the shapes of the curves, not the last digit. For steadier numbers close other programs (or use an idle machine) and rerun with more repeats: ` +
    `<code>pnpm bench --repeats 5</code>.`;
}

/** ", and the separate-run check was off by 66%" when it disagreed beyond the threshold. */
function separateDisagreement(results: BenchResults): string {
  const { none, full } = results.separateRuns;
  const off = (r: SeparateRun) => Math.abs(r.longRunMs / r.separateMs.median - 1);
  const worst = Math.max(off(none), off(full));
  return worst > NOISE_THRESHOLD ? `, and the separate-run check below was off by ${pct(worst)}` : "";
}

function growth(results: BenchResults, a: Analysis): string[] {
  const { dModel: d, dFF: F, nLayers: L, vocabSize: V } = a.config;
  const pairs = a.count === "dense"
    ? `attention over all <i>t</i>² (query, key) pairs of the score matrix (the ${escapeHtml(results.settings.backend)} kernels compute it whole and mask it; causally only <i>t</i>(<i>t</i>+1)/2 are visible)`
    : `attention over the <i>t</i>(<i>t</i>+1)/2 (query, key) pairs the causal mask leaves visible`;
  const i = a.last;
  return [
    `Without a cache, the step that produces token <i>t</i> + 1 feeds the whole sequence of <i>t</i> tokens through the model again. ` +
      `Every layer recomputes the queries, keys and values of all <i>t</i> tokens, the output projection and the MLP: ` +
      `<i>t</i>·(4<i>d</i>² + 2<i>d</i>·<i>F</i>) multiply-adds, plus ${pairs}, 2<i>d</i> each. ` +
      `So one step is O(<i>t</i>·<i>d</i>²) + O(<i>t</i>²·<i>d</i>), and summed over <i>n</i> steps the total is O(<i>n</i>²·<i>d</i>²) + O(<i>n</i>³·<i>d</i>). ` +
      `The keys and values of the earlier tokens do not change when a token is added (the causal mask: a token never looks ahead), so all but the new row is repeated work.`,
    `With the cache, each step feeds only the new token: its own projections and MLP, O(<i>d</i>²), and attention of its one query over the <i>t</i> stored keys, O(<i>t</i>·<i>d</i>). ` +
      `Summed: O(<i>n</i>·<i>d</i>²) + O(<i>n</i>²·<i>d</i>). One power of <i>n</i> less in both terms.`,
    `For this model (<i>d</i> = ${d}, <i>F</i> = ${F}, ${L} layers, <i>V</i> = ${V}) one token costs <i>W</i> = ${formatInt(a.weightMacs.total)} multiply-adds in the weight matrices ` +
      `(${formatInt(a.weightMacs.projections)} projections, ${formatInt(a.weightMacs.mlp)} MLP, ${formatInt(a.weightMacs.lmHead)} lm_head) and each (query, key) pair 2<i>d</i>·<i>L</i> = ${formatInt(a.pairMacs)}. ` +
      `The ${formatInt(a.n[i]!)}-token totals (fastest repeat) are ${formatMs(a.time.none[i]!)} without the cache and ${formatMs(a.time.full[i]!)} with it.`,
    results.sameTokens
      ? `Both runs generated the same tokens (greedy decoding; “${escapeHtml(results.sampleText)}”): the cache changes the speed, not the result.`
      : `<b>Warning:</b> the runs with and without the cache generated different tokens; the cache should change the speed only.`,
  ];
}

function powerLaws(a: Analysis): string[] {
  const { none, full } = a.fits;
  const m = a.modelFits;
  const sub = full.exponent < m.full.exponent - 0.05
    ? ` The measured cached exponent is below the count's: a cost paid once per run (setup, the first steps running colder), large beside the total at small <i>n</i> and negligible at large <i>n</i>, flattens the measured curve. ` +
      `It is not a sign that later steps get cheaper (none does); the three-term fit below separates it.`
    : "";
  return [
    `On log–log axes a power law time ∝ <i>n</i><sup><i>b</i></sup> is a straight line of slope <i>b</i>. ` +
      `Least-squares lines through all ${a.n.length} points, measured and counted: without the cache measured <i>b</i> = ${f2(none.exponent)}, the FLOP model over the same <i>n</i> ${f2(m.none.exponent)}; ` +
      `with it measured ${f2(full.exponent)}, the FLOP model ${f2(m.full.exponent)}.${sub}`,
    `Neither curve is a single power law over this range: without the cache the <i>n</i>² weight term hands over to the <i>n</i>³ attention term, with it <i>n</i> hands over to <i>n</i>², both past <i>t</i> ≈ ${formatInt(a.crossover)}. A single exponent averages over that bend.`,
    `The dashed curves are the cost model in time: time ≈ <i>r</i> + <i>a</i>·<i>n</i> + <i>k</i>·(multiply-adds), three constants shared by both loops and fitted on all ${2 * a.n.length} points at once (least squares on the relative error, none negative): ` +
      `a one-off cost per run <i>r</i> = ${formatMs(a.msPerRun)}, a fixed cost per step <i>a</i> = ${sig3(a.msPerStep * 1000)} µs and <i>k</i> = ${sig3(a.msPerMac * 1e6)} ns per multiply-add. ` +
      `The model stays within ${pct(a.fitError.none)} of every no-cache point and ${pct(a.fitError.full)} of every cache point.`,
  ];
}

function rate(results: BenchResults, a: Analysis): string[] {
  const i = a.last, N = a.n[i]!;
  const measured = a.speedup.measured[i]!, predicted = a.speedup.predicted[i]!;
  const dense = a.count === "dense";
  const c = a.crossover;
  const kernels = dense
    ? `The ${escapeHtml(results.settings.backend)} kernels that ran here compute the whole <i>t</i>×<i>t</i> score matrix and mask it afterwards, so an uncached step does <i>t</i>² pairs per layer and <i>R</i>(<i>n</i>)/<i>n</i> heads for 2/3 instead.`
    : `The ${escapeHtml(results.settings.backend)} kernels that ran here never touch a key the causal mask hides, so an uncached step does <i>t</i>(<i>t</i>+1)/2 pairs per layer.`;
  const at = (x: number) => {
    const j = a.n.indexOf(x);
    return j < 0 ? null : j;
  };
  const quoted = [10, 100, 1000].map(at).filter((j): j is number => j !== null);
  const table = quoted.length === 0 ? "" : ` At ${quoted.map((j) => `<i>n</i> = ${formatInt(a.n[j]!)}: counted ${formatRatio(a.speedup.predicted[j]!)}, measured ${formatRatio(a.speedup.measured[j]!)}${a.noise.repeats > 1 ? ` (repeats allow ${formatRatio(a.speedup.low[j]!)}–${formatRatio(a.speedup.high[j]!)})` : ""}`).join("; ")}.`;
  return [
    `The speedup at <i>n</i> is the ratio of the two sums over the steps: ` +
      `<i>R</i>(<i>n</i>) = Σ<sub><i>t</i></sub>(<i>t</i>·<i>W</i> + 2<i>dL</i>·pairs(<i>t</i>)) ÷ Σ<sub><i>t</i></sub>(<i>W</i> + 2<i>dL</i>·<i>t</i>). ` +
      `From a one-token prompt, with <i>c</i> = <i>W</i> ÷ 2<i>dL</i> ≈ ${sig3(c)}, it is <i>R</i>(<i>n</i>) = ((<i>n</i>+1)/2)·(<i>c</i> + (<i>n</i>+2)/3) ÷ (<i>c</i> + (<i>n</i>+1)/2): ` +
      `about <i>n</i>/2 while <i>n</i> ≪ <i>c</i> (an uncached step does the work of <i>t</i> tokens, a cached one of one, and the average <i>t</i> is about <i>n</i>/2), and only for <i>n</i> ≫ <i>c</i> tending to <i>n</i>/3. ${kernels}`,
    `<i>c</i> is where a cached step's attention costs as much as its weights, not where the ratio changes regime: <i>R</i>(<i>n</i>)/<i>n</i> moves slowly from 1/2 toward 1/3 (${[Math.round(c), 1000, 5000].map((x) => `${(speedupClosedForm(a.config, x) / x).toFixed(3)} at <i>n</i> = ${formatInt(x)}`).join(", ")}). ` +
      `Either way the improvement is a factor that grows linearly with <i>n</i>: the cache removes one power of <i>n</i> from both terms.`,
    `At <i>n</i> = ${formatInt(N)} after the ${results.settings.promptTokens}-token prompt the multiply-add counts give ${formatRatio(predicted)} (${f2(predicted / N)}·<i>n</i>); ` +
      `measured ${formatRatio(measured)} (fastest repeat of each${a.noise.repeats > 1 ? `; the repeats allow ${formatRatio(a.speedup.low[i]!)}–${formatRatio(a.speedup.high[i]!)}` : ""}); ` +
      `the fitted cost model gives ${formatRatio(a.speedup.modelled[i]!)}.${table} ` +
      `They differ because time is not proportional to multiply-adds: a run pays a one-off cost and every step a fixed cost that the cache does not remove, ` +
      `which pulls the measured ratio below the count at small <i>n</i>; at large <i>n</i> the cached step reads its whole cache from memory, ${formatBytes(2 * a.config.nLayers * a.config.dModel * 4)} per position, ` +
      `which reaches the size of the weight matrices at <i>t</i> ≈ ${formatInt(c)} (the same <i>W</i> ÷ 2<i>dL</i>) and then outgrows the CPU's caches.`,
  ];
}

function departures(results: BenchResults, a: Analysis): string[] {
  const i = a.last, p = results.settings.promptTokens;
  const n0 = a.n[0]!;
  const noneRatio = a.time.none[i]! / a.predictedMs.none[i]!;
  const fullRatio = a.time.full[i]! / a.predictedMs.full[i]!;
  const ps = results.positions;
  const s = a.steadyStepMs;
  const arithmeticUs = a.msPerMac * (a.weightMacs.total + a.pairMacs * (p + 1)) * 1000;
  const matrix = a.count === "dense"
    ? `, and the JS kernels materialise the whole score matrix, masked entries included`
    : "";
  return [
    `The one-off cost <i>r</i> = ${formatMs(a.msPerRun)} is paid once per run (setting up, the first steps running colder code and caches); the fixed cost <i>a</i> = ${sig3(a.msPerStep * 1000)} µs once per step ` +
      `(the calls through the ${a.config.nLayers} blocks and their kernels, the argmax, the loop's bookkeeping)` +
      `${a.msPerStep === 0 ? "; on this run the fit found no per-step cost it could tell apart from the per-multiply-add one, so it sits inside <i>k</i>" : ""}. A cached step near the start does about ${sig3(arithmeticUs)} µs of arithmetic by the fitted <i>k</i>. ` +
      `Neither fixed cost shrinks with the cache, which is why at <i>n</i> = ${n0} the measured speedup is ${formatRatio(a.speedup.measured[0]!)} where the multiply-adds alone predict ${formatRatio(a.speedup.predicted[0]!)} ` +
      `(with the fitted constants: ${formatRatio(a.speedup.modelled[0]!)}): the cache saves arithmetic, not overhead.`,
    `At <i>n</i> = ${formatInt(a.n[i]!)} the no-cache run took ${formatMs(a.time.none[i]!)} against the model's ${formatMs(a.predictedMs.none[i]!)} (×${f2(noneRatio)}), ` +
      `the cached run ${formatMs(a.time.full[i]!)} against ${formatMs(a.predictedMs.full[i]!)} (×${f2(fullRatio)}). One constant per multiply-add cannot be exact, because two effects pull in opposite directions. ` +
      `An uncached step multiplies each weight matrix by <i>t</i> rows at once, so every weight it loads is used <i>t</i> times and a kernel call's fixed cost is shared by <i>t</i> rows; a one-token step gets none of that. ` +
      `Against that, the count leaves out the softmax's exponentials and the other O(<i>t</i>²) work per uncached step${matrix}. ` +
      `Measured per multiply-add, the uncached run costs ${sig3(a.nsPerMac.none[i]!)} ns at <i>n</i> = ${formatInt(a.n[i]!)} and the cached one ${sig3(a.nsPerMac.full[i]!)} ns (its fixed costs included).`,
    `Per step (plot 5, median of the repeats at each position) the cached step grows linearly with the position (its query attends to every stored key) and the uncached one faster than linearly. ` +
      `A typical cached step near the start (positions ${ps.full.position[1] ?? ps.full.position[0]}–${ps.full.position[Math.min(10, ps.full.position.length - 1)]}, median) takes ${formatMs(s.full.early)}, an uncached one ${formatMs(s.none.early)}; ` +
      `over the last ten positions measured (to ${ps.full.position.at(-1)}) ${formatMs(s.full.late)} and ${formatMs(s.none.late)}. ` +
      `The very first decode step (position ${ps.full.position[0]}: ${formatMs(ps.full.medianMs[0]!)} cached) runs colder and is not typical. ` +
      `${positionsExtent(results)} Isolated spikes are most likely garbage collection or the operating system taking the CPU away.`,
    workingSet(results, a),
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
  return `Caches. Every step reads all the weight matrices, ${formatBytes(weights)} as float32 (the whole model is ${formatInt(params)} parameters, ${formatBytes(params * 4)}, at context_length ${formatInt(a.config.contextLength)}${a.config.positional === "learned" ? `, its learned position table alone ${formatInt(a.config.contextLength * d)} of them (${formatInt(a.config.contextLength)}·${d}; the exercise's context of 32 gives ${formatInt(params - (a.config.contextLength - 32) * d)} in all)` : ""}; of the embedding tables a step reads one row), ` +
    `and a cached step also reads K and V of every earlier position: ${formatBytes(perPosition)} per position, ${formatBytes(kv)} at <i>n</i> = ${formatInt(N)}. ` +
    `An uncached step writes K and V of the same size afresh, plus its [<i>t</i>, ${F}] MLP activations (${formatBytes(tMax * F * 4)} at <i>t</i> = ${formatInt(tMax)}). ${where} ${kernels}`;
}

/** Which caching strategy used least memory and which was fastest at length L, claimed only when the repeats separate it. */
function ranking(cached: readonly StrategyPoint[], L: number): string[] {
  if (cached.length < 2) return [];
  const smallest = [...cached].sort((x, y) => x.bytes.allocated - y.bytes.allocated)[0]!;
  const byTime = [...cached].sort((x, y) => x.msPerToken.min - y.msPerToken.min);
  const [fastest, next] = [byTime[0]!, byTime[1]!];
  const separated = fastest.msPerToken.max < next.msPerToken.min;
  const speed = separated
    ? `the fastest <b>${escapeHtml(fastest.kind)}</b> (${formatMs(fastest.msPerToken.min)} per token; its slowest repeat beat every repeat of the next, ${escapeHtml(next.kind)})`
    : `no strategy was reliably fastest: the repeats of ${escapeHtml(fastest.kind)} (${formatMs(fastest.msPerToken.min)}–${formatMs(fastest.msPerToken.max)} per token) and ${escapeHtml(next.kind)} (${formatMs(next.msPerToken.min)}–${formatMs(next.msPerToken.max)}) overlap`;
  return [
    `At ${formatInt(L)} tokens the smallest cache was <b>${escapeHtml(smallest.kind)}</b> (${formatBytes(smallest.bytes.allocated)}); ${speed}. ` +
      `The strategies were run interleaved in one process (each repeat runs every strategy in turn), so slow drift of the machine affects them alike. ` +
      `Window strategies keep fewer positions: an evicted token leaves direct attention, but its information still reaches later tokens through the deeper layers' cached keys and values, up to <i>L</i>·(<i>W</i> − 1) positions back; ` +
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
    `<b>${escapeHtml(s.kind)}</b>${STRATEGY_NOTES[s.kind] ? ` ${STRATEGY_NOTES[s.kind]}` : ""}: ` +
    `${formatMs(s.msPerToken.min)} per token (fastest repeat), ${formatBytes(s.bytes.allocated)} allocated (${formatBytes(s.bytes.used)} in use)${s.capacity === null || s.capacity === 0 ? "" : `, keeps ${formatInt(s.capacity)} positions`}${error(s)}.`;
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
  const off = Math.max(...[none, full].map((r) => Math.abs(r.longRunMs / r.separateMs.median - 1)));
  const agree = off <= NOISE_THRESHOLD
    ? `within the ${sig3(NOISE_THRESHOLD * 100)}% the report accepts, so reading totals off one long run is sound.`
    : `<b>more than the ${sig3(NOISE_THRESHOLD * 100)}% the report accepts</b>, so on this run the two ways of timing did not confirm each other (most likely load on the machine; rerun with more repeats on a quieter machine).`;
  const range = (r: SeparateRun) => (R > 1 ? ` (${formatMs(r.separateMs.min)}–${formatMs(r.separateMs.max)})` : "");
  const same = none.sameTokens && full.sameTokens
    ? "Both generated the long runs' first tokens."
    : "<b>Warning:</b> a separate run generated different tokens from the long run's first ones.";
  return `Long run against separate runs, at <i>n</i> = ${formatInt(n)}: the long runs' clock read ${formatMs(none.longRunMs)} without the cache and ${formatMs(full.longRunMs)} with it; ` +
    `separate runs of exactly ${formatInt(n)} tokens took ${formatMs(none.separateMs.median)}${range(none)} and ${formatMs(full.separateMs.median)}${range(full)} ` +
    `(median of ${R}). The long runs differ by ${diff(none)} (no cache) and ${diff(full)} (cache): ${agree} ${same}`;
}

function method(results: BenchResults): string[] {
  const s = results.settings;
  const m = results.machine;
  return [
    s.timing,
    separateRuns(results),
    `A warm-up run of ${s.warmupTokens} tokens per strategy came first (it lets V8 compile the hot loops). Each total is the <b>fastest</b> of ${s.repeats} repeat${s.repeats === 1 ? "" : "s"}: ` +
      `the work is deterministic, so every difference between repeats is interference (other programs, the operating system, garbage collection), which can only add time; ` +
      `the minimum is the estimate that interference disturbed least, where a median still carries it when half the repeats are disturbed. Error bars show the slowest repeat; ` +
      `repeats that differ by more than ${sig3(NOISE_THRESHOLD * 100)}% at a point are reported at the top. Per-step times (plot 5) are the median over the repeats at each position. Prompt “${escapeHtml(s.prompt)}” (${s.promptTokens} tokens), greedy decoding, ` +
      `${s.weights ? `weights from ${escapeHtml(s.weights)}` : `seeded weights (seed ${s.seed})`}, context_length ${results.config.context_length}.` +
      `${s.quick ? " This was a <b>--quick</b> run: a reduced sweep for a first look, not the full measurement." : ""}`,
    `Kernels: @tinylm/tensor's ${escapeHtml(s.backend)} backend. ${escapeHtml(cpuLabel(m))}, ${m.cores} logical cores, ${m.memoryGiB} GiB, ${escapeHtml(m.platform)}, Node ${escapeHtml(m.node)}. ` +
      `${escapeHtml(results.date)}; the benchmark took ${formatMs(results.durationMs)}. Raw numbers: <code>results.json</code> next to this file.`,
    `Multiply-adds are counted from the config (<code>packages/model/src/cost.ts</code>, the cost model docs/kv-cache.md prints); one multiply-add is two FLOPs. LayerNorm, softmax, the mask and the residual adds are not counted.`,
  ];
}

/** Beside the causal score triangle: the exercise's walk-through, "the cat sat on" + "the", t = 5, from the cost model. */
function walkThrough(a: Analysis): string[] {
  const t = 5;
  const w = stepWalkThrough(a.config, t);
  return [
    `The exercise's walk-through: the prompt “the cat sat on” and then “the”, so the step that predicts the next token feeds <i>t</i> = ${t} tokens. ` +
      `In every layer a query <i>q</i> asks what a position is looking for, the keys <i>k</i> are matched against it (one score per visible key, <i>q</i>·<i>k</i>/√<i>d</i>), and the values <i>v</i> are what the softmax of the scores mixes. ` +
      `The causal mask lets row <i>i</i> see keys 0..<i>i</i> only, so nothing in rows 0..${t - 2} depends on the new token: their keys and values are final the moment they are computed.`,
    `Without the cache the step recomputes all ${w.projectionRows} rows of <i>q</i>, <i>k</i>, <i>v</i> in each layer (${w.repeatedProjectionRows} of them repeated from the step before) and all ${w.scoreEntries} visible score entries (${w.repeatedScoreEntries} repeated): ` +
      `${formatInt(w.uncachedFlops)} FLOPs with the lm_head. With the cache it computes the one new row (grey cells: reused, not recomputed) and its ${t} scores: ${formatInt(w.cachedFlops)} FLOPs, ` +
      `${(w.uncachedFlops / w.cachedFlops).toFixed(2)}× less. What the cache stores per layer (and head) is exactly the grey-row keys and values: K and V, [<i>t</i>, <i>d</i>] each.`,
  ];
}

/** All the prose of the report, from the results and their analysis. */
export function explain(results: BenchResults, a: Analysis): Explanation {
  return {
    summary: summaryLine(results, a),
    noise: noiseNote(results, a),
    walkThrough: walkThrough(a),
    growth: growth(results, a),
    powerLaws: powerLaws(a),
    rate: rate(results, a),
    strategies: strategies(results),
    departures: departures(results, a),
    method: method(results),
  };
}
