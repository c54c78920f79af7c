// Speculative decoding against the target alone: greedy output identical token for token over long runs
// (every cache that rolls back); sampled output distributed as the target's (a chi-square test over many
// seeded runs, deterministic by seed, with a negative control that the test rejects a wrong distribution).
import { Rng } from "@tinylm/tensor";
import { describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { drawFrom, probabilities } from "./distribution.js";
import { ConfigError } from "./errors.js";
import { generateSync } from "./generate.js";
import { createCache } from "./kv-cache/index.js";
import { TinyLM } from "./model.js";
import { speculate } from "./speculative.js";

const C = 160;
const target = TinyLM.init(makeConfig({ contextLength: C, positional: "sinusoidal", nHeads: 2 }), { seed: 5, std: 0.3, perturb: 0.2 });
// a draft that often agrees with the target: the target's first block alone (same embeddings and head)
const draftConfig = makeConfig({ contextLength: C, positional: "sinusoidal", nHeads: 2, nLayers: 1 });
const draft = new TinyLM(draftConfig, { ...target.weights, blocks: target.weights.blocks.slice(0, 1) });
const stranger = TinyLM.init(draftConfig, { seed: 9, std: 0.3, perturb: 0.2 }); // agrees by chance only

describe("greedy speculative decoding is the target's greedy decoding", () => {
  it.each([
    ["full", 1, draft], ["full", 4, draft], ["full", 8, draft], ["full", 3, stranger], ["paged", 5, draft], ["int8", 4, draft],
  ] as const)("%s caches, k = %i: the same tokens to the end of the context", (cache, k, d) => {
    const prompt = [3, 7, 1, 0, 12];
    const want = generateSync(target, prompt, { maxNewTokens: C, cache });
    const got = speculate(target, prompt, { draft: d, k, cache, maxNewTokens: C });
    expect(got.ids).toEqual(want.ids);
    expect(got.stopReason).toBe("context");
    expect(got.ids).toHaveLength(C - prompt.length);
    expect(got.accepted).toBeLessThanOrEqual(got.proposed);
    expect(got.rounds).toBeLessThan(got.ids.length + 1);
  }, 120_000);

  it("stops at max_new_tokens exactly and leaves both caches holding all but the last token", () => {
    const targetCache = createCache("full", target.config), draftCache = createCache("full", draft.config);
    const got = speculate(target, [1, 2, 3], { draft, k: 6, maxNewTokens: 17, targetCache, draftCache });
    expect(got.ids).toEqual(generateSync(target, [1, 2, 3], { maxNewTokens: 17 }).ids);
    expect(targetCache.length).toBe(3 + 17 - 1);
    expect(draftCache.length).toBeLessThanOrEqual(3 + 17 - 1);
  });
});

describe("sampled speculative decoding has the target's distribution", () => {
  // small models with a 16-position context, temperature 1: the exact joint distribution of the first two
  // tokens is enumerable (20 + 1 forward passes)
  const small = makeConfig({ contextLength: 16 });
  const t = TinyLM.init(small, { seed: 21, std: 0.12, perturb: 0.1 });
  const d = TinyLM.init({ ...small, nLayers: 1 }, { seed: 22, std: 0.12, perturb: 0.1 });
  const prompt = [2, 9, 4];
  const sampling = { temperature: 1 };
  const N = 4000;

  /** p(x1, x2) of the target, 400 entries. */
  function exactJoint(): Float64Array {
    const p1 = probabilities(t.forward(prompt).pick(prompt.length - 1, null), sampling);
    const joint = new Float64Array(400);
    for (let a = 0; a < 20; a++) {
      const p2 = probabilities(t.forward([...prompt, a]).pick(prompt.length, null), sampling);
      for (let b = 0; b < 20; b++) joint[a * 20 + b] = p1[a]! * p2[b]!;
    }
    return joint;
  }

  /** Pearson's chi-square over the cells expecting >= 5 counts, the rest pooled into one; and its degrees of freedom. */
  function chiSquare(counts: Float64Array, expectedP: Float64Array): { stat: number; df: number } {
    let stat = 0, cells = 0, restCount = 0, restP = 0;
    for (let i = 0; i < counts.length; i++) {
      if (expectedP[i]! * N >= 5) {
        const e = expectedP[i]! * N;
        stat += (counts[i]! - e) ** 2 / e;
        cells++;
      } else [restCount, restP] = [restCount + counts[i]!, restP + expectedP[i]!];
    }
    if (restP * N > 0) {
      stat += (restCount - restP * N) ** 2 / (restP * N);
      cells++;
    }
    return { stat, df: cells - 1 };
  }

  /** The chi-square value exceeded with probability 0.001 (Wilson-Hilferty; z = 3.09). */
  const critical = (df: number): number => df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;

  it("the first two tokens of 4,000 seeded runs (k = 3) pass a chi-square test against the exact joint at p = 0.001", () => {
    const joint = exactJoint();
    const counts = new Float64Array(400);
    const targetCache = createCache("full", t.config), draftCache = createCache("full", d.config);
    let proposed = 0, accepted = 0;
    for (let seed = 0; seed < N; seed++) {
      const r = speculate(t, prompt, { draft: d, k: 3, maxNewTokens: 2, sampling: { ...sampling, seed }, targetCache, draftCache });
      counts[r.ids[0]! * 20 + r.ids[1]!]!++;
      proposed += r.proposed;
      accepted += r.accepted;
    }
    const { stat, df } = chiSquare(counts, joint);
    expect(df).toBeGreaterThan(20);
    expect(stat).toBeLessThan(critical(df));
    // the test has power: the draft's own distribution (what accepting every proposal would give) fails it
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(proposed);
    const rng = new Rng(1);
    const wrong = new Float64Array(400);
    for (let s = 0; s < N; s++) {
      const a = drawFrom(probabilities(d.forward(prompt).pick(prompt.length - 1, null), sampling), rng);
      const b = drawFrom(probabilities(d.forward([...prompt, a]).pick(prompt.length, null), sampling), rng);
      wrong[a * 20 + b]!++;
    }
    expect(chiSquare(wrong, joint).stat).toBeGreaterThan(critical(df));
  }, 180_000);
});

describe("bad input", () => {
  it("refuses a draft of another vocabulary or context, and k outside [1, context - 1], in one line", () => {
    const other = TinyLM.init(makeConfig({ contextLength: 64, nLayers: 1 }), { seed: 1 });
    expect(() => speculate(target, [1], { draft: other, k: 2 })).toThrow(ConfigError);
    expect(() => speculate(target, [1], { draft: other, k: 2 })).toThrow(/^config: draft must share the target's vocabulary and positions \(vocab_size 20, context_length 160, sinusoidal positions\); got "vocab_size 20, context_length 64, learned positions"$/);
    for (const k of [0, -1, 1.5, C]) {
      expect(() => speculate(target, [1], { draft, k })).toThrow(/^config: speculate must be an integer in \[1, 159\] \(tokens proposed per round; the context holds 160 positions\); got /);
    }
  });
});
