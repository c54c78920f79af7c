// A strategy that keeps position p as int8 row p (cache.decodeInt8: `int8`, and a PrefixCache over it) gets
// the decode step as one kernel program that quantizes k and v into the cache itself: append is not called
// for it, and the logits and the cache's int8 rows, scales and float residual have the op-by-op step's bits
// and those of a cache filled by one append, with per-token and per-channel key scales, in both builds, on
// one and two threads over a long context, with a span given per call; truncate and reset afterwards behave
// as after appends, it takes turns with a full and a paged cache on one model, and past the cache's
// capacity it fails as append does.
import { setDecodeBaseline, setFma, setOneQuerySplit, setThreads, warmThreads } from "@tinylm/tensor";
import { describe, expect, it } from "vitest";
import { makeConfig, type ModelConfig } from "./config.js";
import { ContextError } from "./errors.js";
import { FullCache } from "./kv-cache/full-cache.js";
import { createCache } from "./kv-cache/index.js";
import { Int8Cache } from "./kv-cache/int8-cache.js";
import type { KeyScales } from "./kv-cache/options.js";
import type { KVCache } from "./kv-cache/types.js";
import { bytes, countAppends, decodeFixture, decodeLogits, expectStepsInPlace } from "./decode-steps.test-utils.js";
import { kernelBuilds } from "./kernel-builds.test-utils.js";
import { TinyLM } from "./model.js";

const { config, m, ids } = decodeFixture(80);

/** An int8 cache counting its appends. */
const counted = (keyScales: KeyScales, c: ModelConfig = config): { cache: Int8Cache; appends: () => number } => countAppends(new Int8Cache(c, { keyScales }));

/**
 * Everything the cache holds for positions 0..length-1: per layer (the first `layers`) the int8 rows, their
 * scales, the quantized count and the float rows of a group not yet full.
 */
function stateOf(cache: KVCache, layers = config.nLayers): Buffer {
  const parts: Buffer[] = [], n = cache.length, d = config.dModel;
  for (let l = 0; l < layers; l++) {
    const { keys, values } = cache.decodeInt8!(l);
    const G = keys.group, q = keys.quantized!;
    expect(q).toBe(G === 0 ? n : n - (n % G));
    parts.push(bytes(keys.data.subarray(0, q * d)), bytes(keys.scales.subarray(0, G === 0 ? q : (q / G) * d)));
    parts.push(bytes(values.data.subarray(0, n * d)), bytes(values.scales.subarray(0, n)));
    if (G > 0) parts.push(bytes(keys.residual!.data.subarray(keys.residual!.offset, keys.residual!.offset + (n - q) * d)));
  }
  return Buffer.concat(parts);
}

/** Logits of `steps` decode steps after a `prompt`-token prompt, fused or op by op, with an optional span per call. */
const decode = (cache: KVCache, fused: boolean, steps: number, span?: { window: number; sinks: number }, prompt = 20): Float32Array => decodeLogits(m, ids, cache, fused, steps, span, prompt);

describe.each(kernelBuilds())("decode steps over an int8 cache in place, fma %s", (fma) => {
  describe.each(["token", "channel"] as const)("%s key scales", (keyScales) => {
    it("quantize the row without append: the op-by-op step's logits and cache, and a cache filled by one append (also through a PrefixCache)", () => {
      setFma(fma);
      // positions 20..79: two groups of 32 filled, the last position
      const got = expectStepsInPlace(m, ids, () => new Int8Cache(config, { keyScales }), (c) => stateOf(c), 60);
      // one append of all 80: per-channel, the prompt's queries see their group's keys quantized (decode
      // steps see them in float), so from layer 1 on k and v differ; layer 0's do not depend on attention
      const once = new Int8Cache(config, { keyScales }), layers = keyScales === "token" ? config.nLayers : 1;
      m.forward(ids, { cache: once, logits: "last" });
      expect(stateOf(got, layers).equals(stateOf(once, layers))).toBe(true);
    });

    it("leave a cache that truncate, reset and further steps treat as one filled by append", () => {
      setFma(fma);
      const a = new Int8Cache(config, { keyScales }), b = new Int8Cache(config, { keyScales });
      const to = keyScales === "token" ? 25 : 40; // per-channel: not into the last full group (50 positions: 0..31)
      const run = (cache: Int8Cache, fused: boolean): Float32Array => {
        const first = decode(cache, fused, 30); // to position 49
        cache.truncate(to);
        const out = new Float32Array(first.length + 200);
        out.set(first);
        for (let s = 0; s < 10; s++) out.set(m.forward([(s * 7) % 20], { cache }).data, first.length + s * 20);
        return out;
      };
      expect(bytes(run(a, true)).equals(bytes(run(b, false)))).toBe(true);
      expect(stateOf(a).equals(stateOf(b))).toBe(true);
      if (keyScales === "channel") expect(() => a.truncate(31)).toThrow(/group|quantized|32/);
      a.reset();
      expect(stateOf(a).length).toBe(0);
      expect(bytes(decode(a, true, 12)).equals(bytes(decode(b, false, 12)))).toBe(true);
      expect(stateOf(a).equals(stateOf(b))).toBe(true);
    });

    it("follow a span given per call", () => {
      setFma(fma);
      const span = { window: 7, sinks: 2 };
      const a = new Int8Cache(config, { keyScales }), b = new Int8Cache(config, { keyScales });
      expect(bytes(decode(a, true, 20, span)).equals(bytes(decode(b, false, 20, span)))).toBe(true);
      expect(bytes(decode(a, true, 20)).equals(bytes(decode(b, false, 20)))).toBe(true); // back to the cache's own span
      expect(bytes(decode(a, true, 20, { window: 40, sinks: 0 })).equals(bytes(decode(b, false, 20, { window: 40, sinks: 0 })))).toBe(true);
    });

    it("take turns with a full and a paged cache on one model: each gets the logits it gets alone", () => {
      setFma(fma);
      const caches = [new Int8Cache(config, { keyScales }), new FullCache(config), createCache("paged", config)];
      const alone = caches.map((c) => decode(c, false, 10));
      setDecodeBaseline(false);
      for (const c of caches) {
        c.reset();
        m.forward(ids.slice(0, 20), { cache: c, logits: "last" });
      }
      const turns = caches.map(() => new Float32Array(200));
      for (let s = 0; s < 10; s++) caches.forEach((cache, i) => turns[i]!.set(m.forward([ids[20 + s]!], { cache }).data, s * 20));
      turns.forEach((t, i) => expect(bytes(t).equals(bytes(alone[i]!))).toBe(true));
    });

    it("past the cache's capacity: append's error", () => {
      setFma(fma);
      setDecodeBaseline(false);
      const small = makeConfig({ contextLength: 8, positional: "sinusoidal" });
      const model = TinyLM.init(small, { seed: 1 });
      const { cache, appends } = counted(keyScales, small);
      model.forward(ids.slice(0, 7), { cache, logits: "last" });
      model.forward([1], { cache }); // position 7: the last row
      expect(appends()).toBe(3);
      expect(() => model.forward([1], { cache })).toThrow(ContextError);
      expect(() => model.forward([1], { cache })).toThrow(/capacity of 8/);
    });
  });

  it("over a long context (one query's attention split over the pool): the op-by-op step's bits on 2 threads", async () => {
    setFma(fma);
    setThreads(2);
    setOneQuerySplit("always"); // not left to timing: the split is what is tested
    while ((await warmThreads()) < 2); // a busy machine may need more than warmThreads' own patience
    const long = TinyLM.init(makeConfig({ contextLength: 800 }), { seed: 5, std: 0.3, perturb: 0.2 });
    const prompt = Array.from({ length: 730 }, (_, i) => (i * 7 + 3) % 20);
    for (const keyScales of ["token", "channel"] as const) {
      const steps = (cache: Int8Cache, fused: boolean): Float32Array => {
        setDecodeBaseline(!fused);
        long.forward(prompt, { cache, logits: "last" });
        const out = new Float32Array(8 * 20);
        for (let s = 0; s < 8; s++) out.set(long.forward([(s * 3) % 20], { cache }).data, s * 20); // positions 730..737: a group filled at 735
        return out;
      };
      setThreads(1);
      const want = new Int8Cache(long.config, { keyScales }), w = steps(want, false);
      setThreads(2);
      const got = new Int8Cache(long.config, { keyScales });
      expect(bytes(steps(got, true)).equals(bytes(w))).toBe(true);
      expect(got.decodeInt8(2).keys.quantized).toBe(keyScales === "token" ? 738 : 736);
    }
    setThreads(1);
    setOneQuerySplit("auto");
  }, 120_000);
});
