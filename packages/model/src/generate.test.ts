import { describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { ConfigError, ContextError, VocabularyError, WeightsError } from "./errors.js";
import { generate, generateSync } from "./generate.js";
import { TinyLM } from "./model.js";
import { naiveForward } from "./naive-reference.test-utils.js";
import { encode } from "./vocab.js";

const model = TinyLM.init(makeConfig(), { seed: 11, std: 0.3, perturb: 0.2 });

/** The exercise's loop written out with the naive reference: run everything, argmax the last row. */
function naiveGreedy(prompt: number[], n: number): number[] {
  const seq = [...prompt];
  for (let i = 0; i < n; i++) {
    const last = naiveForward(model.config, model.weights, seq).at(-1)!;
    seq.push(last.indexOf(Math.max(...last)));
  }
  return seq.slice(prompt.length);
}

describe("generate", () => {
  it("is greedy by default and matches the naive loop, with and without the cache", () => {
    const want = naiveGreedy(encode("the cat sat"), 10);
    for (const cache of ["none", "full"]) {
      const r = generateSync(model, "the cat sat", { maxNewTokens: 10, cache });
      expect(r.ids).toEqual(want);
      expect(r.promptIds).toEqual([0, 1, 3]);
      expect(r.text.split(" ")).toHaveLength(13);
      expect(r.stopReason).toBe("max_new_tokens");
      expect(r.cache).toBe(cache);
    }
  });

  it("streams every token with its position and reports timing", async () => {
    const events: number[] = [];
    const r = await generate(model, [0, 1, 3], { maxNewTokens: 5, onToken: (t) => events.push(t.position) });
    expect(events).toEqual([3, 4, 5, 6, 7]);
    expect(r.stepMs).toHaveLength(4);
    expect(r.prefillMs).toBeGreaterThan(0);
    expect(r.msPerToken).toBeGreaterThan(0);
    expect(r.totalMs).toBeGreaterThanOrEqual(r.prefillMs);
  });

  it("stops before passing context_length and says why", () => {
    const r = generateSync(model, "the cat sat", { maxNewTokens: 100 });
    expect(r.ids).toHaveLength(32 - 3);
    expect(r.stopReason).toBe("context");
    expect(r.stopMessage).toMatch(/reached its limit of 32 positions \(context_length 32, learned positions\)/);
  });

  it("rejects a prompt longer than the context before doing any work", () => {
    const long = new Array(33).fill("the").join(" ");
    expect(() => generateSync(model, long)).toThrow(ContextError);
    expect(() => generateSync(model, long)).toThrow(/the prompt has 33 tokens, more than the 32 that fit/);
  });

  it("rejects an empty prompt and an unknown cache strategy", () => {
    expect(() => generateSync(model, "")).toThrow(VocabularyError);
    expect(() => generateSync(model, "the", { cache: "magic" })).toThrow(ConfigError);
    expect(() => generateSync(model, "the", { cache: "magic" })).toThrow(/cache is not a cache strategy/);
  });

  it("stops on abort and keeps what was produced", async () => {
    const controller = new AbortController();
    const r = await generate(model, "the", { maxNewTokens: 20, signal: controller.signal, onToken: (t) => t.index === 2 && controller.abort() });
    expect(r.stopReason).toBe("aborted");
    expect(r.ids).toHaveLength(3);
  });

  it("turns a float32 overflow from huge finite weights into a WeightsError naming the largest tensor", () => {
    const config = makeConfig({ contextLength: 8 });
    const weights = TinyLM.init(config, { seed: 1 }).weights;
    weights.blocks[1]!.mlp.fc1.weight.data.fill(3e38);
    const err = (() => { try { generateSync(new TinyLM(config, weights), "the cat", { maxNewTokens: 2 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(WeightsError);
    expect((err as WeightsError).tensor).toBe("blocks.1.mlp.fc1.weight");
    expect((err as Error).message).toMatch(/^generate: .* at position 2: the weights overflow float32 \(largest \|w\| 3\.00e\+38, in "blocks.1.mlp.fc1.weight"\); they are corrupt or from a model that diverged$/);
  });
});
