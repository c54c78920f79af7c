// `sliding-window` and `sinks` against a recompute of the whole sequence with the same banded mask
// (model.forward(tokens, { span })), at absolute positions 0.. (past context_length with sinusoidal
// positions), across the point where eviction starts, with prefills shorter and longer than the window, and
// with multi-token appends in the middle of a sequence. Rows come back in ring order, so the sums run in
// another order than the recompute's: equal within 1e-5, not bit for bit.
import { describe, expect, it } from "vitest";
import { ContextError } from "../errors.js";
import { generateSync } from "../generate.js";
import { createCache } from "./index.js";
import { decode, greedy, maxAbsDiff, recompute, rowOf, sharpModel, tokensOf } from "./drive.test-utils.js";
import { SinksCache } from "./sinks-cache.js";
import { SlidingWindowCache } from "./sliding-window-cache.js";
import type { KVCache } from "./types.js";

const TOLERANCE = 1e-5;
const C = 32;

const cases: [kind: string, window: number, sinks: number][] = [
  ["sliding-window", 1, 0],
  ["sliding-window", 5, 0],
  ["sliding-window", 12, 0],
  ["sinks", 1, 3],
  ["sinks", 4, 1],
  ["sinks", 8, 4],
];

describe.each(cases)("%s (window %i, sinks %i) equals a banded recompute", (kind, window, sinks) => {
  const span = { window, sinks };
  const make = (m: ReturnType<typeof sharpModel>): KVCache => createCache(kind, m.config, { window, sinks });

  it.each([
    ["learned", 1, C],
    ["learned", window + sinks + 5, C], // a prefill longer than everything the cache keeps
    ["sinusoidal", 3, 3 * C], // past context_length
    ["sinusoidal", 40, 3 * C], // a prefill longer than context_length
  ] as const)("%s positions, prompt of %i, to %i tokens: every step within 1e-5, same greedy tokens", (positional, promptLength, total) => {
    const model = sharpModel({ positional, nHeads: 2, contextLength: C }, 21);
    const got = decode(model, make(model), tokensOf(promptLength, 1), total);
    const want = recompute(model, got.tokens, promptLength - 1, total - 1, { span });
    expect(maxAbsDiff(got.logits, want)).toBeLessThan(TOLERANCE);
    expect(got.tokens.slice(promptLength)).toEqual(want.map(greedy));
  });

  it("multi-token appends after eviction started: every row of every chunk within 1e-5", () => {
    const model = sharpModel({ positional: "sinusoidal", nHeads: 1, contextLength: C }, 22);
    const tokens = tokensOf(80, 2);
    const want = recompute(model, tokens, 0, tokens.length, { span });
    const cache = make(model);
    const got: Float32Array[] = [];
    for (const size of [3, 9, 1, 1, 13, 2, 1, 20, 30]) {
      const out = model.forward(tokens.slice(cache.length, cache.length + size), { cache }); // [size, V]
      for (let i = 0; i < size; i++) got.push(rowOf(out, i));
    }
    expect(cache.length).toBe(80);
    expect(maxAbsDiff(got, want)).toBeLessThan(TOLERANCE);
  });
});

describe("window strategies past context_length", () => {
  it("sliding-window with sinusoidal positions generates 5 × context_length tokens in memory that stops growing", () => {
    const model = sharpModel({ positional: "sinusoidal", contextLength: C }, 23);
    const cache = new SlidingWindowCache(model.config, { window: 8 });
    const bytes: { allocated: number; used: number }[] = [];
    const r = generateSync(model, "the cat", { cache, maxNewTokens: 5 * C, onToken: (t) => bytes.push(t.cacheBytes) });
    expect(r.ids).toHaveLength(5 * C);
    expect(r.stopReason).toBe("max_new_tokens");
    const row = 2 * model.config.nLayers * model.config.dModel * 4; // keys and values of one position, every layer
    expect(bytes.every((b) => b.allocated === 8 * row)).toBe(true); // fixed from the first token on
    expect(bytes.map((b) => b.used / row).slice(0, 8)).toEqual([2, 3, 4, 5, 6, 7, 8, 8]); // grows to the window, then stays
    expect(bytes.slice(6).every((b) => b.used === 8 * row)).toBe(true);
    // and the tokens are the banded recompute's greedy tokens
    const all = [...r.promptIds, ...r.ids];
    expect(recompute(model, all, 1, all.length - 1, { span: cache.span }).map(greedy)).toEqual(r.ids);
  });

  it("sinks with sinusoidal positions also runs past context_length in fixed memory", () => {
    const model = sharpModel({ positional: "sinusoidal", contextLength: C }, 23);
    const cache = new SinksCache(model.config, { window: 6, sinks: 2 });
    const allocated = new Set<number>();
    const r = generateSync(model, "the cat sat on the mat", { cache, maxNewTokens: 3 * C, onToken: (t) => allocated.add(t.cacheBytes.allocated) });
    expect(r.ids).toHaveLength(3 * C);
    expect([...allocated]).toEqual([8 * 2 * 3 * 64 * 4]);
    expect(cache.positionLimit).toBe(Infinity);
  });

  it.each(["sliding-window", "sinks"])("%s with learned positions stops at context_length and says so", (kind) => {
    const model = sharpModel({ contextLength: C }, 24);
    const cache = createCache(kind, model.config, { window: 4, sinks: 2 });
    expect(cache.positionLimit).toBe(C);
    const r = generateSync(model, "the cat", { cache, maxNewTokens: 100 });
    expect(r.ids).toHaveLength(C - 2);
    expect(r.stopReason).toBe("context");
    // driven by hand past the limit, the model refuses: there is no learned embedding for position C
    expect(cache.length).toBe(C - 1); // the last token generated was never fed back
    model.forward([0], { cache });
    expect(() => model.forward([0], { cache })).toThrow(ContextError);
    expect(() => model.forward([0], { cache })).toThrow(/learned positions have no embedding past position 31.*sinusoidal positions with a window cache/);
  });

  it.each(["full", "paged", "int8"])("%s (keeps every position) stops at context_length even with sinusoidal positions", (kind) => {
    const model = sharpModel({ positional: "sinusoidal", contextLength: C }, 25);
    const cache = createCache(kind, model.config);
    const r = generateSync(model, "the cat", { cache, maxNewTokens: 100 });
    expect(r.ids).toHaveLength(C - 2);
    expect(r.stopReason).toBe("context");
    model.forward([0], { cache }); // position 31, the last one
    expect(() => model.forward([0], { cache })).toThrow(ContextError);
    expect(() => model.forward([0], { cache })).toThrow(new RegExp(`${kind} cache: 1 new positions at position 32 exceed its capacity of 32 \\(context_length\\)\\. Use a shorter prompt or a window strategy`));
    cache.reset();
    expect(() => model.forward(tokensOf(C + 1), { cache })).toThrow(ContextError); // a prefill that does not fit
  });

  it("a window no shorter than the sequence is `full`, bit for bit", () => {
    const model = sharpModel({ nHeads: 4, contextLength: C }, 26);
    const prompt = tokensOf(5);
    const full = decode(model, createCache("full", model.config), prompt, C);
    for (const cache of [new SlidingWindowCache(model.config, { window: C }), new SinksCache(model.config, { window: C - 4, sinks: 4 })]) {
      const got = decode(model, cache, prompt, C);
      expect(got.tokens).toEqual(full.tokens);
      expect(got.logits).toEqual(full.logits);
    }
  });
});
