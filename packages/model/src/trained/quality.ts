// What a model has learned of the toy language, measured: held-out loss, the grammatical continuation rate
// of greedy and of sampled generation, and the far-dependency (topic) accuracy, with and without a cache
// that drops the start of the text. Every figure is a pure function of the model and the seeds below.
import { generateSync } from "../generate.js";
import { checkText } from "../language/checker.js";
import { NOUNS } from "../language/grammar.js";
import { TextGenerator } from "../language/generator.js";
import type { TinyLM } from "../model.js";

/** Seeds of the measurement texts; the training corpora use other seeds (tools/train/train.py). */
export const QUALITY_SEEDS = Object.freeze({ heldout: 77, prompts: 78, probes: 79 });

export interface QualityPlan {
  readonly textLength: number; // words per held-out text and per prompt + continuation
  readonly heldoutTexts: number;
  readonly prompts: number; // prompts of 3 words (a subject), each continued to textLength words
  readonly probes: number; // far-dependency probes
  readonly gap: number; // words between the topic and the "and the" that needs it
  readonly window: number; // the window of the sliding-window and sinks runs of the probes
  readonly sinks: number;
}

/** The plan for a model: texts as long as it was trained on (32 words at context 32, else 256). */
export function qualityPlan(model: TinyLM): QualityPlan {
  const short = model.config.contextLength <= 32;
  return short
    ? { textLength: 32, heldoutTexts: 200, prompts: 50, probes: 200, gap: 16, window: 8, sinks: 4 }
    : { textLength: 256, heldoutTexts: 20, prompts: 20, probes: 200, gap: 64, window: 32, sinks: 4 };
}

export interface Quality {
  readonly heldoutLoss: number; // mean next-word cross-entropy, nats
  readonly heldoutPerplexity: number; // exp(heldoutLoss)
  readonly greedyRate: number; // share of greedy continuation words the checker allows
  readonly sampledRate: number; // the same at temperature 1
  readonly topicAccuracy: { readonly full: number; readonly slidingWindow: number; readonly sinks: number };
}

function logSoftmaxAt(row: (j: number) => number, V: number, target: number): number {
  let max = -Infinity;
  for (let j = 0; j < V; j++) max = Math.max(max, row(j));
  let sum = 0;
  for (let j = 0; j < V; j++) sum += Math.exp(row(j) - max);
  return row(target) - max - Math.log(sum);
}

/** Mean next-word cross-entropy (nats) over held-out texts of the plan's length. */
export function heldoutLoss(model: TinyLM, plan: QualityPlan): number {
  const gen = new TextGenerator(QUALITY_SEEDS.heldout);
  const V = model.config.vocabSize;
  let total = 0;
  let count = 0;
  for (let n = 0; n < plan.heldoutTexts; n++) {
    const ids = gen.text({ length: plan.textLength });
    const logits = model.forward(ids); // [T, V]
    for (let t = 0; t + 1 < ids.length; t++) {
      total -= logSoftmaxAt((j) => logits.get(t, j), V, ids[t + 1]!);
      count++;
    }
  }
  return total / count;
}

/** The prompts: the first three words of seeded texts (a subject, e.g. "the small cat" or "a dog sat"). */
export function qualityPrompts(plan: QualityPlan): number[][] {
  const gen = new TextGenerator(QUALITY_SEEDS.prompts);
  return Array.from({ length: plan.prompts }, () => gen.text({ length: 3 }));
}

/** Pooled grammatical continuation rate of the prompts' continuations to plan.textLength words. */
export function continuationRate(model: TinyLM, plan: QualityPlan, temperature: 0 | 1, prompts = qualityPrompts(plan)): number {
  let good = 0;
  let scored = 0;
  prompts.forEach((prompt, i) => {
    const run = generateSync(model, prompt, { maxNewTokens: plan.textLength - prompt.length, sampling: { temperature, seed: i } });
    const check = checkText([...prompt, ...run.ids], prompt.length);
    good += check.ok.slice(prompt.length).filter(Boolean).length;
    scored += run.ids.length;
  });
  return good / scored;
}

/**
 * Share of far-dependency probes (the topic named only in the first clause, `gap`+ words back, then
 * "and the") whose greedy continuation names the topic as its first noun, with the given cache.
 */
export function topicAccuracy(model: TinyLM, plan: QualityPlan, cache: "full" | "sliding-window" | "sinks"): number {
  const gen = new TextGenerator(QUALITY_SEEDS.probes);
  let right = 0;
  let n = 0;
  while (n < plan.probes) {
    const probe = gen.probe(plan.gap);
    if (probe.ids.length + 2 > model.config.contextLength) continue; // (only at context 32) too long to continue
    const options = cache === "full" ? {} : { window: plan.window, ...(cache === "sinks" ? { sinks: plan.sinks } : {}) };
    const run = generateSync(model, probe.ids, { maxNewTokens: 2, cache, ...options });
    const noun = run.ids.find((id) => NOUNS.includes(id));
    if (noun === probe.topic) right++;
    n++;
  }
  return right / plan.probes;
}

/** Every figure of the plan. */
export function measureQuality(model: TinyLM, plan = qualityPlan(model)): Quality {
  const loss = heldoutLoss(model, plan);
  return {
    heldoutLoss: loss,
    heldoutPerplexity: Math.exp(loss),
    greedyRate: continuationRate(model, plan, 0),
    sampledRate: continuationRate(model, plan, 1),
    topicAccuracy: {
      full: topicAccuracy(model, plan, "full"),
      slidingWindow: topicAccuracy(model, plan, "sliding-window"),
      sinks: topicAccuracy(model, plan, "sinks"),
    },
  };
}
