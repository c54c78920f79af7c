import { describe, expect, it } from "vitest";
import { makeConfig, type ModelConfig } from "./config.js";
import { ContextError } from "./errors.js";
import { FullCache } from "./kv-cache/full-cache.js";
import { TinyLM } from "./model.js";
import { naiveForward } from "./naive-reference.test-utils.js";

const sharp = (overrides: Partial<ModelConfig>, seed = 7) => TinyLM.init(makeConfig(overrides), { seed, std: 0.3, perturb: 0.2 });

function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((x, j) => (m = Math.max(m, Math.abs(x - b[i]![j]!)))));
  return m;
}

const logitsOf = (model: TinyLM, ids: number[], start = 0): number[][] => model.forward(ids, { start }).data.reduce<number[][]>((acc, x, i) => {
  const V = model.config.vocabSize;
  if (i % V === 0) acc.push([]);
  acc[acc.length - 1]!.push(x);
  return acc;
}, []);

describe("TinyLM.forward", () => {
  const ids = [0, 1, 3, 4, 0, 5, 10, 2, 11, 8];
  it.each([
    ["learned", 1],
    ["learned", 4],
    ["sinusoidal", 1],
    ["sinusoidal", 2],
  ] as const)("matches a naive per-position reference (%s positions, %i heads) within 1e-4", (positional, nHeads) => {
    const model = sharp({ positional, nHeads });
    const got = logitsOf(model, ids);
    const want = naiveForward(model.config, model.weights, ids);
    expect(got).toHaveLength(ids.length);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
  });

  it("applies absolute positions from `start` (sinusoidal past the trained context too)", () => {
    const model = sharp({ positional: "sinusoidal", contextLength: 16 });
    const got = logitsOf(model, [1, 2, 3], 40);
    expect(maxAbsDiff(got, naiveForward(model.config, model.weights, [1, 2, 3], 40))).toBeLessThan(1e-4);
  });

  it("takes the start position as a number too: forward(ids, 40) is forward(ids, { start: 40 })", () => {
    const model = sharp({ positional: "sinusoidal", contextLength: 16 });
    const got = Array.from(model.forward([1, 2, 3], 40).data);
    expect(got).toEqual(Array.from(model.forward([1, 2, 3], { start: 40 }).data));
    expect(maxAbsDiff(logitsOf(model, [1, 2, 3], 40), naiveForward(model.config, model.weights, [1, 2, 3], 40))).toBeLessThan(1e-4);
    expect(() => sharp({ contextLength: 8 }).forward([0, 1, 2], 6)).toThrow(ContextError);
  });

  it("is causal: logits at position t do not depend on later tokens", () => {
    const model = sharp({});
    const a = logitsOf(model, [0, 1, 3, 4, 5]);
    const b = logitsOf(model, [0, 1, 3, 9, 9]);
    expect(a.slice(0, 3)).toEqual(b.slice(0, 3));
    expect(a[3]).not.toEqual(b[3]);
  });

  it("gives bit-identical logits for a prefill and a token-by-token decode through a full cache", () => {
    const model = sharp({ nHeads: 2 });
    const all = model.forward(ids);
    const cache = new FullCache(model.config);
    model.forward(ids.slice(0, 4), { cache });
    let last = model.forward(ids.slice(4, 5), { cache });
    for (let t = 5; t < ids.length; t++) last = model.forward([ids[t]!], { cache });
    expect(Array.from(last.data)).toEqual(Array.from(all.data.subarray((ids.length - 1) * 20)));
  });

  it("refuses positions past context_length with learned positions, naming the limit", () => {
    const model = TinyLM.init(makeConfig({ contextLength: 8 }));
    expect(() => model.forward([0, 1, 2], { start: 6 })).toThrow(ContextError);
    expect(() => model.forward(new Array(9).fill(0))).toThrow(/forward: 9 tokens at position 0 exceed context_length 8/);
  });

  it("reports attention probabilities that sum to 1 over visible keys", () => {
    const model = sharp({ nHeads: 2 });
    const seen: number[][] = [];
    model.forward([0, 1, 3], { onAttention: (layer, head, probs) => seen.push([layer, head, ...probs.data]) });
    expect(seen).toHaveLength(6);
    for (const [, , ...p] of seen) {
      expect(p[1]).toBe(0); // row 0 cannot see key 1
      expect(p.slice(6, 9).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
    }
  });
});
