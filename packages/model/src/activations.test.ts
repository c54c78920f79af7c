// The reused activations and the packed q/k/v projection change no result: forward gives bit for bit the
// logits of the reference model (reference.ts: public ops, separate q, k and v linears; both backends), a returned
// tensor is never overwritten by later steps, `out` receives the same logits, and a forward called from an
// attention observer (re-entrant) does not disturb the pass that called it.
import { getBackend, setBackend, zeros, type BackendName, type Tensor } from "@tinylm/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { makeConfig, type ModelConfig } from "./config.js";
import { FullCache } from "./kv-cache/full-cache.js";
import { TinyLM } from "./model.js";
import { referenceForward } from "./reference.js";

const initial = getBackend();
afterAll(() => setBackend(initial));

const ids = Array.from({ length: 12 }, (_, i) => (i * 7 + 3) % 20);
const bits = (t: Tensor): number[] => Array.from({ length: t.shape[0]! * t.shape[1]! }, (_, i) => t.get(Math.floor(i / t.shape[1]!), i % t.shape[1]!));

const configs: [string, Partial<ModelConfig>][] = [
  ["1 head, learned positions", { contextLength: 32 }],
  ["2 heads, sinusoidal positions", { contextLength: 32, nHeads: 2, positional: "sinusoidal" }],
];

describe.each(["wasm", "js"] as BackendName[])("the workspace under the %s backend", (backend) => {
  it.each(configs)("gives the reference model's logits bit for bit (%s), prefill and decode", (_, overrides) => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig(overrides), { seed: 5, std: 0.3, perturb: 0.2 });
    const want = referenceForward(model.config, model.weights, ids);
    expect(bits(model.forward(ids))).toEqual(bits(want));
    const cache = new FullCache(model.config);
    model.forward(ids.slice(0, 5), { cache });
    for (let t = 5; t < ids.length; t++) {
      expect(bits(model.forward([ids[t]!], { cache }))).toEqual(bits(want.hi(t + 1, want.shape[1]!).lo(t, 0)));
    }
  });

  it("never overwrites returned logits; `out` gets the same logits and is returned", () => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig({ contextLength: 32 }), { seed: 6, std: 0.3 });
    const cache = new FullCache(model.config);
    const prefill = model.forward(ids.slice(0, 4), { cache });
    const kept = bits(prefill);
    const steps = ids.slice(4).map((id) => model.forward([id], { cache }));
    const stepBits = steps.map(bits);
    expect(new Set(stepBits.map((b) => b.join())).size).toBe(steps.length); // distinct logits each step
    model.forward(ids, {}); // a recompute, another T
    expect(bits(prefill)).toEqual(kept);
    steps.forEach((s, i) => expect(bits(s)).toEqual(stepBits[i]));
    const out = zeros([1, model.config.vocabSize]);
    cache.reset();
    model.forward(ids.slice(0, 4), { cache });
    expect(model.forward([ids[4]!], { cache, out })).toBe(out);
    expect(bits(out)).toEqual(stepBits[0]);
    expect(() => model.forward([1, 2], { out })).toThrow(/forward: out has the wrong shape/);
  });

  it("returns [0, V] logits for no tokens, with and without a cache", () => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig({ contextLength: 16 }), { seed: 8 });
    expect(model.forward([]).shape).toEqual([0, model.config.vocabSize]);
    const cache = new FullCache(model.config);
    expect(model.forward([], { cache }).shape).toEqual([0, model.config.vocabSize]);
    expect(cache.length).toBe(0);
    expect(model.forward([3], { cache }).shape).toEqual([1, model.config.vocabSize]);
  });

  it("serves a forward called from an attention observer without disturbing the outer pass", () => {
    setBackend(backend);
    const model = TinyLM.init(makeConfig({ contextLength: 32, nHeads: 2 }), { seed: 7, std: 0.3 });
    const plain = bits(model.forward(ids));
    const inner: number[][] = [];
    const observed = model.forward(ids, { onAttention: (layer, head) => void (layer === 1 && head === 0 && inner.push(bits(model.forward(ids.slice(0, 3))))) });
    expect(bits(observed)).toEqual(bits(TinyLM.prototype.forward.call(model, ids, { onAttention: () => {} })));
    expect(inner).toHaveLength(1);
    expect(inner[0]).toEqual(plain.slice(0, 3 * model.config.vocabSize));
    if (backend === "js") expect(bits(observed)).toEqual(plain); // the JS attention is the observed path
  });
});

describe("FullCache views", () => {
  it("returns one reused view per layer, re-cut to the filled rows", () => {
    const config = makeConfig({ contextLength: 16 });
    const cache = new FullCache(config);
    const k = zeros([2, config.dModel]);
    const first = cache.append(0, k, k);
    expect(first.keys.shape).toEqual([2, config.dModel]);
    for (let l = 1; l < config.nLayers; l++) cache.append(l, k, k);
    cache.advance(2);
    const again = cache.append(0, k.hi(1, config.dModel), k.hi(1, config.dModel));
    expect(again).toBe(first);
    expect(again.keys.shape).toEqual([3, config.dModel]);
    expect(again.values.shape).toEqual([3, config.dModel]);
  });
});
