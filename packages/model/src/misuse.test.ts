// The library called from plain JavaScript, wrongly: every public entry must refuse bad arguments with one of
// the package's typed errors, a one-line message of bounded length, before any work (no engine TypeError,
// RangeError or IndexError, no silent result, no hang). Each case is a call as a JavaScript user could write
// it; `any` stands for the missing type checker.
import { zeros } from "@tinylm/tensor";
import { describe, expect, it } from "vitest";
import { configFromJson, configToJson, makeConfig, validateConfig } from "./config.js";
import { ArgumentError, ConfigError, ContextError, StateError, VocabularyError, WeightsError } from "./errors.js";
import { generate, generateSteps, generateSync } from "./generate.js";
import { createCache } from "./kv-cache/index.js";
import { FullCache } from "./kv-cache/full-cache.js";
import { Int8Cache } from "./kv-cache/int8-cache.js";
import { NoCache } from "./kv-cache/no-cache.js";
import { PagedCache } from "./kv-cache/paged-cache.js";
import { SinksCache } from "./kv-cache/sinks-cache.js";
import { SlidingWindowCache } from "./kv-cache/sliding-window-cache.js";
import { TinyLM } from "./model.js";
import { referenceForward } from "./reference.js";
import { parseSafetensors, serializeSafetensors } from "./safetensors.js";
import { Sampler } from "./sampling.js";
import { decode, encode } from "./vocab.js";
import { loadModel, saveModel } from "./weights-file.js";
import { summarize } from "./summary.js";
import { initWeights, parameterSpecs, type Weights } from "./weights.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
const TYPED = [ArgumentError, ConfigError, ContextError, StateError, VocabularyError, WeightsError];

const config = makeConfig();
const model = TinyLM.init(config, { seed: 1 });
const m: any = model;
const weights: any = model.weights;
const twoLayer = initWeights(makeConfig({ nLayers: 2 }), { seed: 1 });
const context16 = initWeights(makeConfig({ contextLength: 16 }), { seed: 1 });
const withNaN = (): Weights => {
  const w = initWeights(config, { seed: 1 });
  w.blocks[1]!.mlp.fc1.weight.data[5] = NaN;
  return w;
};

/** [what the call is, the call]. */
const CASES: [string, () => unknown][] = [
  // config
  ["makeConfig({ contextLenght: 64 })", () => makeConfig({ contextLenght: 64 } as any)],
  ["makeConfig(null)", () => makeConfig(null as any)],
  ["makeConfig(\"big\")", () => makeConfig("big" as any)],
  ["makeConfig({ dModel: \"64\" })", () => makeConfig({ dModel: "64" } as any)],
  ["makeConfig({ nLayers: 1e9 })", () => makeConfig({ nLayers: 1e9 })],
  ["validateConfig(undefined)", () => validateConfig(undefined as any)],
  ["validateConfig({})", () => validateConfig({} as any)],
  ["configFromJson([])", () => configFromJson([])],
  ["configToJson(undefined)", () => configToJson(undefined as any)],
  ["summarize({ nLayers: 1e9 })", () => summarize({ ...config, nLayers: 1e9 })],
  ["parameterSpecs(\"default\")", () => parameterSpecs("default" as any)],
  // building a model
  ["new TinyLM(undefined, weights)", () => new TinyLM(undefined as any, weights)],
  ["new TinyLM(config, undefined)", () => new TinyLM(config, undefined as any)],
  ["new TinyLM(config, {})", () => new TinyLM(config, {} as any)],
  ["two-layer weights under a three-layer config", () => new TinyLM(config, twoLayer)],
  ["context-16 weights under context 32", () => new TinyLM(config, context16)],
  ["weights holding a NaN", () => new TinyLM(config, withNaN())],
  ["a weight that is a plain array", () => new TinyLM(config, { ...weights, lmHead: { ...weights.lmHead, bias: [1, 2, 3] } })],
  ["pos_emb under sinusoidal positions", () => new TinyLM(makeConfig({ positional: "sinusoidal" }), weights)],
  ["TinyLM.init(config, { seed: \"abc\" })", () => TinyLM.init(config, { seed: "abc" as any })],
  ["TinyLM.init(config, { seed: -1 })", () => TinyLM.init(config, { seed: -1 })],
  ["TinyLM.init(config, { seed: 1.5 })", () => TinyLM.init(config, { seed: 1.5 })],
  ["TinyLM.init(config, { std: -1 })", () => TinyLM.init(config, { std: -1 })],
  ["TinyLM.init(config, { std: NaN })", () => TinyLM.init(config, { std: NaN })],
  ["TinyLM.init(config, { perturb: Infinity })", () => TinyLM.init(config, { perturb: Infinity })],
  ["TinyLM.init(config, { sead: 1 })", () => TinyLM.init(config, { sead: 1 } as any)],
  ["TinyLM.init(config, 42)", () => TinyLM.init(config, 42 as any)],
  ["TinyLM.init({ dModel: 64 })", () => TinyLM.init({ dModel: 64 } as any)],
  ["initWeights(config, { std: \"0.02\" })", () => initWeights(config, { std: "0.02" as any })],
  // forward
  ["forward([25])", () => model.forward([25])],
  ["forward([-1])", () => model.forward([-1])],
  ["forward([1.5])", () => model.forward([1.5])],
  ["forward([\"1\"])", () => model.forward(["1"] as any)],
  ["forward([NaN])", () => model.forward([NaN])],
  ["forward(\"the cat\")", () => model.forward("the cat" as any)],
  ["forward(undefined)", () => model.forward(undefined as any)],
  ["forward(42)", () => model.forward(42 as any)],
  ["forward({ length: 1e9 })", () => model.forward({ length: 1e9 } as any)],
  ["forward(ids, 1.5)", () => model.forward([1, 2], 1.5)],
  ["forward(ids, -1)", () => model.forward([1, 2], -1)],
  ["forward(ids, \"3\")", () => model.forward([1, 2], "3" as any)],
  ["forward(ids, null)", () => model.forward([1, 2], null as any)],
  ["forward(ids, { start: \"3\" })", () => model.forward([1, 2], { start: "3" as any })],
  ["forward(ids, { start: 31 }) past the context", () => model.forward([1, 2], { start: 31 })],
  ["forward(ids, { cache: {} })", () => model.forward([1, 2], { cache: {} as any })],
  ["forward(ids, { cache: \"full\" })", () => model.forward([1, 2], { cache: "full" as any })],
  ["forward(ids, { cache, start: 5 }) disagreeing", () => model.forward([1, 2], { cache: new FullCache(config), start: 5 })],
  ["forward with a cache for another d_model", () => model.forward([1, 2], { cache: new FullCache(makeConfig({ dModel: 32 })) })],
  ["forward with a cache for fewer layers", () => model.forward([1, 2], { cache: createCache("sinks", makeConfig({ nLayers: 2 })) })],
  ["forward(ids, { cahce: cache })", () => model.forward([1, 2], { cahce: new FullCache(config) } as any)],
  ["forward(ids, { logits: \"first\" })", () => model.forward([1, 2], { logits: "first" as any })],
  ["forward(ids, { out: [1, 2] })", () => model.forward([1, 2], { out: [1, 2] as any })],
  ["forward(ids, { out: zeros([3, 20]) })", () => model.forward([1, 2], { out: zeros([3, 20]) })],
  ["forward(ids, { onAttention: 5 })", () => model.forward([1, 2], { onAttention: 5 as any })],
  ["forward(ids, { span: { window: -1, sinks: 0 } })", () => model.forward([1, 2], { span: { window: -1, sinks: 0 } })],
  ["forward(ids, { span: \"causal\" })", () => model.forward([1, 2], { span: "causal" as any })],
  // generation
  ["generateSync(undefined, \"the\")", () => generateSync(undefined as any, "the")],
  ["generateSync({ forward() {} }, \"the\")", () => generateSync({ forward() {} } as any, "the")],
  ["generateSync(model, 42)", () => generateSync(model, 42 as any)],
  ["generateSync(model, [25])", () => generateSync(model, [25])],
  ["generateSync(model, [1.5])", () => generateSync(model, [1.5])],
  ["generateSync(model, \"the kat\")", () => generateSync(model, "the kat")],
  ["generateSync(model, \"\")", () => generateSync(model, "")],
  ["generateSync(model, \"the\", \"full\")", () => generateSync(model, "the", "full" as any)],
  ["generateSync(model, \"the\", { maxNewToken: 5 })", () => generateSync(model, "the", { maxNewToken: 5 } as any)],
  ["generateSync(model, \"the\", { maxNewTokens: 1.5 })", () => generateSync(model, "the", { maxNewTokens: 1.5 })],
  ["generateSync(model, \"the\", { maxNewTokens: \"5\" })", () => generateSync(model, "the", { maxNewTokens: "5" as any })],
  ["generateSync(model, \"the\", { cache: \"ful\" })", () => generateSync(model, "the", { cache: "ful" })],
  ["generateSync(model, \"the\", { cache: 5 })", () => generateSync(model, "the", { cache: 5 as any })],
  ["generateSync(model, \"the\", { cache: null })", () => generateSync(model, "the", { cache: null as any })],
  ["generateSync(model, \"the\", { cache: {} })", () => generateSync(model, "the", { cache: {} as any })],
  ["generateSync(model, \"the\", { window: 0 })", () => generateSync(model, "the", { cache: "sliding-window", window: 0 })],
  ["generateSync(model, \"the\", { blockSize: \"16\" })", () => generateSync(model, "the", { cache: "paged", blockSize: "16" as any })],
  ["generateSync(model, \"the\", { sampling: \"greedy\" })", () => generateSync(model, "the", { sampling: "greedy" as any })],
  ["generateSync(model, \"the\", { sampling: { temprature: 1 } })", () => generateSync(model, "the", { sampling: { temprature: 1 } as any })],
  ["generateSync(model, \"the\", { sampling: { topK: 0 } })", () => generateSync(model, "the", { sampling: { topK: 0 } })],
  ["generateSync(model, \"the\", { signal: {} })", () => generateSync(model, "the", { signal: {} as any })],
  ["generateSync(model, \"the\", { onToken: 5 })", () => generateSync(model, "the", { onToken: 5 as any })],
  ["generateSync(model, \"the\", { onAttention: \"log\" })", () => generateSync(model, "the", { onAttention: "log" as any })],
  ["a 33-token prompt on a context-32 model", () => generateSync(model, Array.from({ length: 33 }, () => 1))],
  // caches
  ["new FullCache({})", () => new FullCache({} as any)],
  ["new FullCache()", () => new (FullCache as any)()],
  ["new PagedCache({})", () => new PagedCache({} as any)],
  ["new PagedCache(config, { blockSize: 0 })", () => new PagedCache(config, { blockSize: 0 })],
  ["new SlidingWindowCache({})", () => new SlidingWindowCache({} as any)],
  ["new SlidingWindowCache(config, { window: -1 })", () => new SlidingWindowCache(config, { window: -1 })],
  ["new SinksCache(config, { sinks: 1.5 })", () => new SinksCache(config, { sinks: 1.5 })],
  ["new SinksCache(config, null)", () => new SinksCache(config, null as any)],
  ["new Int8Cache(undefined)", () => new Int8Cache(undefined as any)],
  ["new NoCache(\"x\")", () => new NoCache("x" as any)],
  ["new NoCache(32, -1)", () => new NoCache(32, -1)],
  ["createCache(\"lru\", config)", () => createCache("lru", config)],
  ["createCache(\"full\", {})", () => createCache("full", {} as any)],
  ["createCache(\"full\", config, { windw: 8 })", () => createCache("full", config, { windw: 8 } as any)],
  ["createCache(\"full\", config, 8)", () => createCache("full", config, 8 as any)],
  // sampling, vocabulary, files
  ["new Sampler(\"greedy\")", () => new Sampler("greedy" as any)],
  ["new Sampler({ seed: \"1\" })", () => new Sampler({ seed: "1" as any })],
  ["encode(42)", () => encode(42 as any)],
  ["encode(\"\")", () => encode("")],
  ["decode([25])", () => decode([25])],
  ["decode(\"abc\")", () => decode("abc" as any)],
  ["decode(null)", () => decode(null as any)],
  ["parseSafetensors(\"weights.safetensors\")", () => parseSafetensors("weights.safetensors" as any)],
  ["parseSafetensors(new Uint8Array(4))", () => parseSafetensors(new Uint8Array(4))],
  ["serializeSafetensors(config, twoLayer)", () => serializeSafetensors(config, twoLayer)],
  ["serializeSafetensors(config, {})", () => serializeSafetensors(config, {} as any)],
  ["loadModel(42)", () => loadModel(42 as any)],
  ["saveModel(\"m.safetensors\", {})", () => saveModel("m.safetensors", {} as any)],
  ["referenceForward(config, weights, [25])", () => referenceForward(config, weights, [25])],
  ["referenceForward(config, weights, [1], 40)", () => referenceForward(config, weights, [1], 40)],
  ["referenceForward(config, twoLayer, [1])", () => referenceForward(config, twoLayer, [1])],
];

/** The error `call` throws (undefined if it returns). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectTyped(e: unknown): void {
  expect(e, "returned instead of throwing").toBeInstanceOf(Error);
  const err = e as Error;
  expect(TYPED.some((C) => err instanceof C), `${err.name}: ${err.message}`).toBe(true);
  expect(err.message).not.toContain("\n");
  expect(err.message.length).toBeLessThan(400);
}

describe("misuse from plain JavaScript", () => {
  it.each(CASES)("%s gives a typed error", (_, call) => {
    expectTyped(thrown(call));
  });

  it("the model still works after every misuse (nothing half-done)", () => {
    for (const [, call] of CASES) thrown(call);
    const fresh = TinyLM.init(config, { seed: 1 });
    expect(generateSync(model, "the cat", { maxNewTokens: 8 }).ids).toEqual(generateSync(fresh, "the cat", { maxNewTokens: 8 }).ids);
  });

  it("messages speak the API's words: a typo names the nearest key", () => {
    expect(thrown(() => makeConfig({ contextLenght: 64 } as any))).toMatchObject({ name: "ConfigError", message: expect.stringContaining('did you mean "contextLength"') });
    expect(thrown(() => generateSync(model, "the", { maxNewToken: 5 } as any))).toMatchObject({ message: expect.stringContaining('(the nearest is "maxNewTokens")') });
    expect(thrown(() => model.forward([1], { cahce: new FullCache(config) } as any))).toMatchObject({ message: expect.stringContaining('(the nearest is "cache")') });
    expect(thrown(() => generateSync(model, "the", { cache: "ful" }))).toMatchObject({ message: expect.stringContaining('did you mean "full"') });
    expect(thrown(() => model.forward([25]))).toMatchObject({ name: "ArgumentError", message: "forward: token id at index 0 is not in the vocabulary; got 25, expected an integer in [0, 20)" });
    expect(thrown(() => new TinyLM(config, context16))).toMatchObject({ name: "WeightsError", tensor: "pos_emb.weight" });
    expect(thrown(() => new TinyLM(config, twoLayer))).toMatchObject({ name: "WeightsError", message: expect.stringContaining("2 blocks, the config n_layers=3") });
    const long = "x".repeat(100_000);
    expect((thrown(() => makeConfig({ [long]: 1 } as any)) as Error).message.length).toBeLessThan(400);
    expect((thrown(() => generateSync(model, "the", { cache: long }))) as Error).toBeInstanceOf(ConfigError);
  });

  it("async generate rejects with the same typed errors", async () => {
    await expect(generate(model, [25])).rejects.toBeInstanceOf(ArgumentError);
    await expect(generate(model, "the", { maxNewToken: 3 } as any)).rejects.toBeInstanceOf(ArgumentError);
    await expect(generate(undefined as any, "the")).rejects.toBeInstanceOf(ArgumentError);
  });

  it("refuses one cache shared by two generations running at the same time", async () => {
    const cache = new FullCache(config);
    const a = generateSteps(model, "the cat", { cache, maxNewTokens: 10 });
    a.next(); // a is suspended after its first token, holding the cache
    const b = generateSteps(model, "a dog", { cache, maxNewTokens: 10 });
    expect(() => b.next()).toThrow(StateError);
    await expect(generate(model, "a dog", { cache })).rejects.toBeInstanceOf(StateError);
    const rest = [...a]; // a finishes undisturbed, then gives the cache up
    expect(rest.length).toBe(9);
    expect(generateSync(model, "a dog", { cache, maxNewTokens: 3 }).ids.length).toBe(3);
    const c = generateSteps(model, "the", { cache, maxNewTokens: 10 });
    for (const _ of c) break; // break calls return(): the cache is free again
    expect(generateSync(model, "the", { cache, maxNewTokens: 2 }).ids.length).toBe(2);
  });

  it("interleaved generations with strategy names each get their own cache, as before", () => {
    const alone = [generateSync(model, "the cat", { maxNewTokens: 20 }).ids, generateSync(model, "a dog", { maxNewTokens: 20 }).ids];
    const a = generateSteps(model, "the cat", { maxNewTokens: 20 });
    const b = generateSteps(model, "a dog", { maxNewTokens: 20 });
    const ids: number[][] = [[], []];
    for (;;) {
      const x = a.next(), y = b.next();
      if (!x.done) ids[0]!.push(x.value.id);
      if (!y.done) ids[1]!.push(y.value.id);
      if (x.done && y.done) break;
    }
    expect(ids).toEqual(alone);
  });
});
