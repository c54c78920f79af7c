// `tinylm eval`'s measurements: what each cache strategy costs in quality, memory and speed on one model.
// Per strategy, on seeded held-out texts of the toy language (language/):
//   teacher-forced perplexity, the text fed one token at a time through the strategy as generation does
//     (`none` recomputes the whole prefix each step), and the mean KL divergence of its next-word
//     distribution from `full`'s at the same step;
//   free-running greedy generation from prompts: the share of generated words equal to `full`'s at the
//     same step, the first step where they differ, the grammatical continuation rate (the checker), and
//     the far-dependency accuracy (probes whose topic lies `gap` words back, language/generator.ts);
//   bytes the cache allocates at the end of a text (every buffer it owns) and per position it then holds;
//   decode ms/token at a stated position (median of single steps).
// Every figure but the times is a pure function of the model, the strategies and the plan.
import { zeros } from "@tinylm/tensor";
import { generateSync } from "../generate.js";
import { checkText } from "../language/checker.js";
import { NOUNS } from "../language/grammar.js";
import { TextGenerator } from "../language/generator.js";
import { createCache } from "../kv-cache/index.js";
import type { KVCache } from "../kv-cache/types.js";
import type { TinyLM } from "../model.js";
import type { EvalStrategy } from "./strategies.js";

/** Seeds of the evaluation's texts, prompts and probes (the training corpora use others). */
export const EVAL_SEEDS = Object.freeze({ texts: 91, prompts: 92, probes: 93 });

export interface EvalPlan {
  readonly texts: number; // held-out texts, teacher-forced
  readonly textLength: number; // words per text
  readonly prompts: number; // free-running prompts (3 words each)
  readonly continuation: number; // greedy words generated after each prompt
  readonly probes: number; // far-dependency probes
  readonly gap: number; // words between a probe's topic and the "and the" that needs it
  readonly decodeAt: number; // position of the timed decode steps
  readonly decodeSteps: number;
}

/**
 * The plan for a model: texts as long as the context with learned positions (nothing exists past it), else
 * 512 words (past the long model's 256-word training texts and the largest default window), within the
 * context. The sizes keep a run of the defaults to minutes on two cores.
 */
export function evalPlan(model: TinyLM): EvalPlan {
  const C = model.config.contextLength;
  const learned = model.config.positional === "learned";
  const textLength = learned ? C : Math.min(C, 512);
  return {
    texts: learned ? 20 : 4,
    textLength,
    prompts: learned ? 20 : 4,
    continuation: textLength - 3,
    probes: learned ? 50 : 40,
    gap: learned ? 16 : 64,
    decodeAt: Math.max(1, Math.min(1000, C - 17)),
    decodeSteps: 16,
  };
}

export interface StrategyEval {
  readonly label: string;
  readonly kind: string;
  /** exp(mean next-word cross-entropy), teacher-forced one token at a time. */
  readonly perplexity: number;
  /** Mean KL(full ‖ this) of the next-word distributions over the same steps, nats. */
  readonly meanKL: number;
  /** Mean next-word cross-entropy (nats) at each position 1 .. textLength - 1, over the texts. */
  readonly nllByPosition: number[];
  /** Share of greedily generated words equal to full's at the same step. */
  readonly agreement: number;
  /** Median first step (0-based, over the prompts that diverged) where generation differs from full's; null if none did. */
  readonly firstDivergence: number | null;
  readonly diverged: number; // prompts whose generation differs from full's somewhere
  /** Share of generated words the grammar allows. */
  readonly grammatical: number;
  /** Share of far-dependency probes answered with the topic. */
  readonly farDependency: number;
  /** Bytes the cache allocates after a whole text, and the positions it then holds. */
  readonly allocatedBytes: number;
  readonly heldPositions: number;
  readonly bytesPerPosition: number;
  /** Median ms of one decode step at position decodeAt. */
  readonly decodeMs: number;
  readonly decodeAt: number;
}

export interface EvalOptions {
  readonly plan?: EvalPlan;
  /** Called between units of work with what is running (for a progress line). */
  readonly onProgress?: (message: string, done: number, total: number) => void;
  /** Called with each strategy's result as soon as it is complete. */
  readonly onResult?: (result: StrategyEval) => void;
  /** Stops between units of work; evaluate then resolves with the strategies finished so far. */
  readonly signal?: AbortSignal;
}

export interface EvalReport {
  readonly plan: EvalPlan;
  readonly results: StrategyEval[];
  readonly complete: boolean; // false when stopped by the signal
}

/** log-softmax of a logits row. */
function logSoftmax(row: Float32Array | number[], V: number): Float64Array {
  let max = -Infinity;
  for (let j = 0; j < V; j++) max = Math.max(max, row[j]!);
  let sum = 0;
  for (let j = 0; j < V; j++) sum += Math.exp(row[j]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(V);
  for (let j = 0; j < V; j++) out[j] = row[j]! - lse;
  return out;
}

/** KL(p ‖ q) for log-probabilities lp, lq. */
function kl(lp: Float64Array, lq: Float64Array): number {
  let s = 0;
  for (let j = 0; j < lp.length; j++) if (lp[j]! > -Infinity) s += Math.exp(lp[j]!) * (lp[j]! - lq[j]!);
  return s;
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
};

/** The next-word log-probabilities at every step of `ids`, fed one token at a time through `cache`. */
function teacherForced(model: TinyLM, cache: KVCache, ids: readonly number[]): Float64Array[] {
  const V = model.config.vocabSize;
  const out = zeros([1, V]);
  cache.reset();
  const steps: Float64Array[] = [];
  for (let t = 0; t + 1 < ids.length; t++) {
    const logits = cache.keepsRows
      ? model.forward([ids[t]!], { cache, out, logits: "last" })
      : model.forward(ids.slice(0, t + 1), { logits: "last", out }); // `none`: the whole prefix again
    steps.push(logSoftmax(logits.data, V));
  }
  return steps;
}

/** Median ms of single decode steps from position `at` (the cache filled to `at` first). */
function decodeTime(model: TinyLM, cache: KVCache, at: number, steps: number): number {
  const out = zeros([1, model.config.vocabSize]);
  const prompt = Array.from({ length: at }, (_, i) => (i * 7 + 3) % model.config.vocabSize);
  const times: number[] = [];
  for (let round = 0; round < 2; round++) { // the first round warms up
    cache.reset();
    model.forward(prompt, { cache, logits: "last" });
    const token = [1];
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const logits = cache.keepsRows
        ? model.forward(token, { cache, out, logits: "last" })
        : model.forward([...prompt.slice(0, at), token[0]!], { logits: "last", out });
      if (round === 1) times.push(performance.now() - t0);
      token[0] = (token[0]! + 1) % logits.shape[1]!;
    }
  }
  return median(times);
}

/**
 * Measures every strategy of the list on `model` (full's reference runs first, whether listed or not).
 * const report = await evaluate(model, defaultStrategies(model.config))
 */
export async function evaluate(model: TinyLM, strategies: readonly EvalStrategy[], options: EvalOptions = {}): Promise<EvalReport> {
  const plan = options.plan ?? evalPlan(model);
  const config = model.config;
  const gen = new TextGenerator(EVAL_SEEDS.texts);
  const texts = Array.from({ length: plan.texts }, () => gen.text({ length: plan.textLength }));
  const promptGen = new TextGenerator(EVAL_SEEDS.prompts);
  const prompts = Array.from({ length: plan.prompts }, () => promptGen.text({ length: 3 }));
  const probeGen = new TextGenerator(EVAL_SEEDS.probes);
  const probes: { ids: number[]; topic: number }[] = [];
  for (let tries = 0; probes.length < plan.probes && tries < 100 * plan.probes; tries++) {
    const p = probeGen.probe(plan.gap);
    if (p.ids.length + 2 <= config.contextLength) probes.push(p);
  }
  const units = (strategies.length + 1) * (plan.texts + plan.prompts + 2);
  let done = 0;
  const progress = (message: string): void => options.onProgress?.(message, ++done, units);

  // full's reference: its distributions on the texts and its greedy generations
  const fullCache = createCache("full", config);
  const reference: Float64Array[][] = [];
  for (const ids of texts) {
    reference.push(teacherForced(model, fullCache, ids));
    progress("full: reference texts");
    await yieldNow();
  }
  const fullRuns = prompts.map((p) => generateSync(model, p, { maxNewTokens: plan.continuation, cache: "full" }).ids);

  const results: StrategyEval[] = [];
  for (const s of strategies) {
    if (options.signal?.aborted) return { plan, results, complete: false };
    const cache = createCache(s.kind, config, s.options);
    // teacher-forced perplexity and KL from full
    let nll = 0, klSum = 0, n = 0;
    const byPosition = new Float64Array(plan.textLength - 1);
    for (let i = 0; i < texts.length; i++) {
      const ids = texts[i]!;
      const steps = teacherForced(model, cache, ids);
      steps.forEach((lp, t) => {
        const loss = -lp[ids[t + 1]!]!;
        nll += loss;
        byPosition[t] = byPosition[t]! + loss / texts.length;
        klSum += kl(reference[i]![t]!, lp);
        n++;
      });
      progress(`${s.label}: text ${i + 1} of ${texts.length}`);
      await yieldNow();
      if (options.signal?.aborted) return { plan, results, complete: false };
    }
    const { allocated } = cache.bytes();
    const held = Math.min(cache.length, cache.capacity);
    // free-running greedy generation against full's
    let same = 0, total = 0, good = 0, scored = 0;
    const firsts: number[] = [];
    for (let i = 0; i < prompts.length; i++) {
      const run = generateSync(model, prompts[i]!, { maxNewTokens: plan.continuation, cache: s.kind, ...s.options });
      const ref = fullRuns[i]!;
      let first = -1;
      for (let t = 0; t < ref.length; t++) {
        if (run.ids[t] === ref[t]) same++;
        else if (first < 0) first = t;
        total++;
      }
      if (first >= 0) firsts.push(first);
      const check = checkText([...prompts[i]!, ...run.ids], prompts[i]!.length);
      good += check.ok.slice(prompts[i]!.length).filter(Boolean).length;
      scored += run.ids.length;
      progress(`${s.label}: prompt ${i + 1} of ${prompts.length}`);
      await yieldNow();
      if (options.signal?.aborted) return { plan, results, complete: false };
    }
    let right = 0;
    for (const probe of probes) {
      const run = generateSync(model, probe.ids, { maxNewTokens: 2, cache: s.kind, ...s.options });
      if (run.ids.find((id) => NOUNS.includes(id)) === probe.topic) right++;
    }
    progress(`${s.label}: far-dependency probes`);
    await yieldNow();
    const decodeMs = decodeTime(model, cache, plan.decodeAt, plan.decodeSteps);
    progress(`${s.label}: decode time`);
    const result: StrategyEval = {
      label: s.label, kind: s.kind,
      perplexity: Math.exp(nll / n), meanKL: klSum / n, nllByPosition: Array.from(byPosition),
      agreement: same / total, firstDivergence: firsts.length ? median(firsts) : null, diverged: firsts.length,
      grammatical: good / scored, farDependency: probes.length ? right / probes.length : NaN,
      allocatedBytes: allocated, heldPositions: held, bytesPerPosition: held > 0 ? allocated / held : NaN,
      decodeMs, decodeAt: plan.decodeAt,
    };
    results.push(result);
    options.onResult?.(result);
    await yieldNow();
  }
  return { plan, results, complete: true };
}
