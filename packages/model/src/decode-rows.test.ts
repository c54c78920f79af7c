// A strategy that keeps position p at row p (cache.decodeRows: `full`, and a PrefixCache over it) gets the
// decode step as one kernel program that writes the cache's row itself: append is not called for it, and
// the logits and the cache's rows have the op-by-op step's bits, in both builds, with a span given per
// call, with two caches taking turns on one model, and past the cache's capacity it fails as append does;
// the logits reach an `out` of any layout; with sinusoidal positions or an embedPosition (embedded in
// JavaScript, not in the program) the bits are the same too.
import { setDecodeBaseline, setFma, zeros, type Tensor } from "@tinylm/tensor";
import { describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { ContextError } from "./errors.js";
import { FullCache } from "./kv-cache/full-cache.js";
import type { KVCache } from "./kv-cache/types.js";
import { bytes, decodeFixture, decodeLogits, expectStepsInPlace } from "./decode-steps.test-utils.js";
import { kernelBuilds } from "./kernel-builds.test-utils.js";
import { TinyLM } from "./model.js";

const { config, m, ids } = decodeFixture(64);

/** Bytes of the first `length` rows of every layer's keys and values. */
function rowsOf(cache: KVCache): Buffer {
  const parts: Buffer[] = [];
  for (let l = 0; l < config.nLayers; l++) {
    const { keys, values } = cache.decodeRows!(l);
    for (const t of [keys, values] as Tensor[]) parts.push(bytes(t.data.subarray(t.offset, t.offset + cache.length * config.dModel)));
  }
  return Buffer.concat(parts);
}

/** Logits of `steps` decode steps after a `prompt`-token prompt, fused or op by op, with an optional span per call. */
const decode = (cache: KVCache, fused: boolean, steps: number, span?: { window: number; sinks: number }, prompt = 20): Float32Array => decodeLogits(m, ids, cache, fused, steps, span, prompt);

describe.each(kernelBuilds())("decode steps over a cache's rows in place, fma %s", (fma) => {
  it("write the row without append, with the op-by-op step's logits and rows (full, and a PrefixCache over it)", () => {
    setFma(fma);
    expectStepsInPlace(m, ids, () => new FullCache(config), rowsOf, 30);
  });

  it("follow a span given per call, and two caches taking turns", () => {
    setFma(fma);
    const span = { window: 7, sinks: 2 };
    const a = new FullCache(config), b = new FullCache(config);
    const want = decode(a, false, 12, span);
    expect(bytes(decode(a, true, 12, span)).equals(bytes(want))).toBe(true);
    expect(bytes(decode(a, true, 12)).equals(bytes(decode(b, false, 12)))).toBe(true); // back to the cache's own span
    // a and b in turns, each its own sequence: each gets the logits it gets alone
    const alone = [decode(a, false, 10), decode(b, false, 10, span)];
    setDecodeBaseline(false);
    for (const c of [a, b]) {
      c.reset();
      m.forward(ids.slice(0, 20), { cache: c, logits: "last" });
    }
    const turns = [new Float32Array(200), new Float32Array(200)];
    for (let s = 0; s < 10; s++) {
      turns[0]!.set(m.forward([ids[20 + s]!], { cache: a }).data, s * 20);
      turns[1]!.set(m.forward([ids[20 + s]!], { cache: b, span }).data, s * 20);
    }
    expect(bytes(turns[0]!).equals(bytes(alone[0]!))).toBe(true);
    expect(bytes(turns[1]!).equals(bytes(alone[1]!))).toBe(true);
  });

  it("copy the logits into out whatever its layout: a view at an offset, strided columns, spaced rows", () => {
    setFma(fma);
    setDecodeBaseline(false);
    const cache = new FullCache(config);
    m.forward(ids.slice(0, 20), { cache, logits: "last" });
    const want = m.forward([7], { cache }).data.slice();
    const views = [zeros([3, 25]).lo(1, 5).hi(1, 20), zeros([20, 2]).transpose(1, 0).hi(1, 20)]; // [1, 20]: offset 30; stride [1, 2]
    for (const out of views) {
      cache.truncate(20);
      expect(m.forward([7], { cache, out })).toBe(out);
      expect(Float32Array.from({ length: 20 }, (_, j) => out.get(0, j))).toEqual(want);
    }
    const all = m.forward(ids.slice(0, 5)).data, rows = zeros([5, 23]).hi(5, 20); // rows 23 floats apart
    m.forward(ids.slice(0, 5), { out: rows });
    expect(Float32Array.from({ length: 100 }, (_, i) => rows.get(Math.floor(i / 20), i % 20))).toEqual(all);
  });

  it("embed in JavaScript with sinusoidal positions or an embedPosition, still over the rows in place, with the op-by-op step's bits", () => {
    setFma(fma);
    const sinusoidal = TinyLM.init(makeConfig({ contextLength: 64, positional: "sinusoidal" }), { seed: 2 });
    const shifted = (p: number): number => Math.max(0, p - 3);
    for (const [model, embedPosition] of [[sinusoidal, undefined], [m, shifted]] as const) {
      const steps = (fused: boolean): Float32Array => {
        setDecodeBaseline(!fused);
        const cache = new FullCache(model.config);
        let appends = 0;
        const append = cache.append.bind(cache);
        cache.append = (l, k, v) => (appends++, append(l, k, v));
        model.forward(ids.slice(0, 20), { cache, logits: "last", embedPosition });
        const out = new Float32Array(200);
        for (let s = 0; s < 10; s++) out.set(model.forward([ids[20 + s]!], { cache, embedPosition }).data, s * 20);
        expect(appends).toBe(fused ? 3 : 33);
        return out;
      };
      expect(bytes(steps(true)).equals(bytes(steps(false)))).toBe(true);
    }
  });

  it("past the cache's capacity: append's error", () => {
    setFma(fma);
    setDecodeBaseline(false);
    const sinusoidal = makeConfig({ contextLength: 8, positional: "sinusoidal" });
    const model = TinyLM.init(sinusoidal, { seed: 1 });
    const cache = new FullCache(sinusoidal);
    model.forward(ids.slice(0, 7), { cache, logits: "last" });
    model.forward([1], { cache }); // position 7: the last row
    expect(() => model.forward([1], { cache })).toThrow(ContextError);
    expect(() => model.forward([1], { cache })).toThrow(/capacity of 8/);
  });
});
