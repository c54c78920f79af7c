// forward(ids, { logits: "last" }): only the last token's logits, the last block's attention output, MLP
// and head run on the last row alone. It must give bit for bit the last row of the full pass (under both
// backends, every head count and positional encoding, with and without a cache, with a banded mask), leave
// the cache exactly as a full pass does, take the short path only when it can, and reject bad input.
import { getBackend, setBackend, zeros, type BackendName, type Tensor } from "@tinylm/tensor";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { makeConfig, type ModelConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { createCache } from "./kv-cache/index.js";
import { TinyLM } from "./model.js";
import { Activations } from "./activations.js";

const initial = getBackend();
afterAll(() => setBackend(initial));
afterEach(() => vi.restoreAllMocks());

const idsOf = (n: number): number[] => Array.from({ length: n }, (_, i) => (i * 7 + 3) % 20);
const bitsOf = (t: Tensor, row: number): number[] => Array.from({ length: t.shape[1]! }, (_, j) => t.get(row, j));
const lastBits = (t: Tensor): number[] => bitsOf(t, t.shape[0]! - 1);

const configs: [string, Partial<ModelConfig>][] = [
  ["1 head, learned positions", { contextLength: 40 }],
  ["2 heads, sinusoidal positions", { contextLength: 40, nHeads: 2, positional: "sinusoidal" }],
  ["4 heads, learned positions", { contextLength: 40, nHeads: 4 }],
];

describe.each(["wasm", "js"] as BackendName[])("forward with logits \"last\" under the %s backend", (backend) => {
  it.each(configs)("is the last row of the full pass, bit for bit (%s)", (_, overrides) => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig(overrides), { seed: 11, std: 0.3, perturb: 0.2 });
    for (const T of [1, 2, 5, 17, 33]) {
      const ids = idsOf(T);
      const last = model.forward(ids, { logits: "last" });
      expect(last.shape).toEqual([1, model.config.vocabSize]);
      expect(bitsOf(last, 0)).toEqual(lastBits(model.forward(ids)));
      expect(bitsOf(model.forward(ids, { start: 4, logits: "last" }), 0)).toEqual(lastBits(model.forward(ids, 4)));
      const banded = { window: 3, sinks: 1 };
      expect(bitsOf(model.forward(ids, { span: banded, logits: "last" }), 0)).toEqual(lastBits(model.forward(ids, { span: banded })));
    }
  });

  it.each(["full", "paged", "sliding-window", "sinks", "int8"])("fills a %s cache exactly as the full pass does", (kind) => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig({ contextLength: 40, nHeads: 2 }), { seed: 12, std: 0.3 });
    const options = { window: 6, sinks: 2 };
    const a = createCache(kind, model.config, options), b = createCache(kind, model.config, options);
    const prompt = idsOf(13);
    expect(bitsOf(model.forward(prompt, { cache: a, logits: "last" }), 0)).toEqual(lastBits(model.forward(prompt, { cache: b })));
    expect(a.length).toBe(b.length);
    for (const id of [4, 9, 1, 0, 17, 3, 8, 8, 2]) {
      expect(bitsOf(model.forward([id], { cache: a, logits: "last" }), 0)).toEqual(bitsOf(model.forward([id], { cache: b }), 0));
    }
  });

  it("takes the short path for T > 1 and computes every row when an observer wants the probabilities", () => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig({ contextLength: 40 }), { seed: 13, std: 0.3 });
    const ids = idsOf(9);
    const lastRow = vi.spyOn(Activations.prototype, "lastRow", "get");
    const short = bitsOf(model.forward(ids, { logits: "last" }), 0);
    expect(lastRow).toHaveBeenCalledTimes(1);
    const rows: number[] = [];
    const observed = model.forward(ids, { logits: "last", onAttention: (_layer, _head, probs) => void rows.push(probs.shape[0]!) });
    expect(lastRow).toHaveBeenCalledTimes(1); // not again
    expect(rows).toEqual([9, 9, 9]); // every layer saw every query row
    // an observer takes the reference (JS) attention: the same bits under js, within 1e-5 under wasm
    if (backend === "js") expect(bitsOf(observed, 0)).toEqual(short);
    else bitsOf(observed, 0).forEach((x, j) => expect(Math.abs(x - short[j]!)).toBeLessThan(1e-5));
  });

  it("writes into out [1, V] and returns it", () => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig({ contextLength: 40 }), { seed: 14 });
    const out = zeros([1, model.config.vocabSize]);
    expect(model.forward(idsOf(6), { logits: "last", out })).toBe(out);
    expect(bitsOf(out, 0)).toEqual(lastBits(model.forward(idsOf(6))));
    expect(() => model.forward(idsOf(6), { logits: "last", out: zeros([6, model.config.vocabSize]) })).toThrow(/forward: out has the wrong shape.*\[1, 20\]/);
  });
});

describe("forward's logits option", () => {
  it("rejects an unknown value and an empty input with a ConfigError that says what to pass", () => {
    const model = TinyLM.init(makeConfig({ contextLength: 16 }), { seed: 1 });
    const bad = { logits: "first" } as unknown as { logits: "last" };
    expect(() => model.forward([1, 2], bad)).toThrow(ConfigError);
    expect(() => model.forward([1, 2], bad)).toThrow(/logits must be "all" .* or "last"/);
    expect(() => model.forward([], { logits: "last" })).toThrow(ConfigError);
    expect(() => model.forward([], { logits: "last" })).toThrow(/needs at least one token/);
    expect(model.forward([], { logits: "all" }).shape).toEqual([0, 20]);
  });
});
