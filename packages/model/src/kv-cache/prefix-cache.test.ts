// PrefixCache and reuse across generate() calls: a prompt that continues what the cache holds feeds only
// the rest, and the tokens are those of a fresh cache given the whole prompt (greedy and sampled).
import { describe, expect, it } from "vitest";
import { generateSync } from "../generate.js";
import { decode as words } from "../vocab.js";
import { sharpModel, tokensOf } from "./drive.test-utils.js";
import { CACHE_KINDS, createCache } from "./index.js";
import { PrefixCache } from "./prefix-cache.js";

const model = sharpModel({ positional: "sinusoidal", contextLength: 64, nHeads: 2 }, 71);

describe("PrefixCache", () => {
  it("remembers the ids it holds, matches the shared prefix, and forgets on truncate and reset", () => {
    const cache = new PrefixCache(createCache("full", model.config));
    model.forward([1, 2, 3, 4], { cache });
    model.forward([5], { cache });
    expect(cache.tokens).toEqual([1, 2, 3, 4, 5]);
    expect(cache.matchPrefix([1, 2, 3, 4, 5, 6, 7])).toBe(5);
    expect(cache.matchPrefix([1, 2, 9])).toBe(2);
    expect(cache.matchPrefix([1, 2])).toBe(2);
    expect(cache.matchPrefix([7])).toBe(0);
    cache.truncate(3);
    expect(cache.tokens).toEqual([1, 2, 3]);
    expect(cache.matchPrefix([1, 2, 3, 4, 5])).toBe(3);
    model.forward([8], { cache });
    expect(cache.tokens).toEqual([1, 2, 3, 8]);
    cache.reset();
    expect(cache.tokens).toEqual([]);
    expect(cache.matchPrefix([1])).toBe(0);
  });
});

describe.each(CACHE_KINDS.filter((k) => k !== "none"))("generate() reuses a PrefixCache across turns: %s", (kind) => {
  const options = { window: 48, sinks: 2, blockSize: 5 };
  const sampling = [{}, { temperature: 0.9, topK: 8, seed: 3 }];
  it.each(sampling)("each turn continues the transcript, computes only the new positions, and gives a fresh cache's tokens (%o)", (s) => {
    const cache = new PrefixCache(createCache(kind, model.config, options));
    let transcript: number[] = [];
    for (const [turn, line] of [tokensOf(6, 1), tokensOf(3, 2), tokensOf(1, 3), tokensOf(4, 4)].entries()) {
      const prompt = [...transcript, ...line];
      const got = generateSync(model, prompt, { cache, maxNewTokens: 5, sampling: s });
      const want = generateSync(model, prompt, { cache: kind, ...options, maxNewTokens: 5, sampling: s });
      expect(got.ids).toEqual(want.ids);
      expect(got.reusedPositions).toBe(turn === 0 ? 0 : transcript.length - 1); // the last generated token was never fed
      expect(want.reusedPositions).toBe(0);
      expect(got.firstTokenMs).toBeGreaterThanOrEqual(got.prefillMs);
      transcript = [...prompt, ...got.ids];
      expect(cache.tokens).toEqual(transcript.slice(0, -1));
    }
  });

  it("rolls back to where a new prompt differs, and holds a whole repeated prompt but its last token", () => {
    const cache = new PrefixCache(createCache(kind, model.config, options));
    const a = tokensOf(20, 5);
    generateSync(model, a, { cache, maxNewTokens: 4 });
    const b = [...a.slice(0, 12), (a[12]! + 1) % 20, 4, 4];
    const got = generateSync(model, b, { cache, maxNewTokens: 6 });
    expect(got.reusedPositions).toBe(12);
    expect(got.ids).toEqual(generateSync(model, b, { cache: "full", maxNewTokens: 6 }).ids);
    const again = generateSync(model, b, { cache, maxNewTokens: 6 });
    expect(again.reusedPositions).toBe(b.length - 1);
    expect(again.ids).toEqual(got.ids);
    expect(words(again.promptIds)).toBe(words(b));
  });
});

describe("reuse with a window that evicted", () => {
  it("starts over (reused 0) when the new prompt diverges before the evicted rows, with the right tokens", () => {
    const cache = new PrefixCache(createCache("sliding-window", model.config, { window: 6 }));
    const a = tokensOf(20, 6);
    generateSync(model, a, { cache, maxNewTokens: 4 });
    const b = [...a.slice(0, 10), 0, 1, 2];
    const got = generateSync(model, b, { cache, maxNewTokens: 8 });
    expect(got.reusedPositions).toBe(0);
    expect(got.ids).toEqual(generateSync(model, b, { cache: "sliding-window", window: 6, maxNewTokens: 8 }).ids);
    // a pure continuation needs no rollback, so even an evicting window reuses it
    const c = [...b, ...got.ids, 3];
    expect(generateSync(model, c, { cache, maxNewTokens: 2 }).reusedPositions).toBe(b.length + got.ids.length - 1);
  });
});
