// A strategy that keeps position p in a block table (cache.decodeBlocks: `paged`, and a PrefixCache over
// it) gets the decode step as one kernel program that writes the position's block row itself: append is
// not called for it, and the logits and the blocks have the op-by-op step's bits, in both builds, across
// block boundaries, with blocks of a size that is not a multiple of 4, with a span given per call, after a
// truncate into a block, in a fork sharing its blocks (copied on write), and past the cache's capacity it
// fails as append does.
import { setDecodeBaseline, setFma } from "@tinylm/tensor";
import { describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { ContextError } from "./errors.js";
import { PagedCache } from "./kv-cache/paged-cache.js";
import type { KVCache } from "./kv-cache/types.js";
import { bytes, decodeFixture, decodeLogits, expectStepsInPlace } from "./decode-steps.test-utils.js";
import { kernelBuilds } from "./kernel-builds.test-utils.js";
import { TinyLM } from "./model.js";

const { config, m, ids } = decodeFixture(64);

/** Bytes of every layer's first `length` positions, keys then values, in position order. */
function rowsOf(cache: PagedCache): Buffer {
  const parts: Buffer[] = [], d = config.dModel, B = cache.blockSize;
  for (let l = 0; l < config.nLayers; l++) {
    cache.blockTable(l).forEach((id, b) => {
      const rows = Math.min(B, cache.length - b * B);
      for (const t of [cache.pool.keysOf(id), cache.pool.valuesOf(id)]) parts.push(bytes(t.data.subarray(t.offset, t.offset + rows * d)));
    });
  }
  return Buffer.concat(parts);
}

/** Logits of `steps` decode steps after a `prompt`-token prompt, fused or op by op, with an optional span per call. */
const decode = (cache: KVCache, fused: boolean, steps: number, span?: { window: number; sinks: number }, prompt = 20): Float32Array => decodeLogits(m, ids, cache, fused, steps, span, prompt);

describe.each(kernelBuilds())("decode steps over a block table in place, fma %s", (fma) => {
  it.each([4, 6, 16])("blocks of %i: write the row without append, with the op-by-op step's logits and blocks (paged, and a PrefixCache over it)", (B) => {
    setFma(fma);
    // the blocks' contents, and the bytes held (the blocks taken from the pool)
    const contents = (c: PagedCache): Buffer => Buffer.concat([rowsOf(c), Buffer.from(JSON.stringify(c.bytes()))]);
    expectStepsInPlace(m, ids, () => new PagedCache(config, { blockSize: B }), contents, 30);
  });

  it("follow a span given per call, and continue after a truncate into a block", () => {
    setFma(fma);
    const span = { window: 7, sinks: 2 };
    const a = new PagedCache(config, { blockSize: 8 }), b = new PagedCache(config, { blockSize: 8 });
    const want = decode(a, false, 12, span);
    expect(bytes(decode(a, true, 12, span)).equals(bytes(want))).toBe(true);
    expect(bytes(decode(a, true, 12)).equals(bytes(decode(b, false, 12)))).toBe(true); // back to the cache's own span
    // truncate to 21 (into block 2) and decode again: the op-by-op logits of a cache that never went further
    for (const fused of [false, true]) {
      setDecodeBaseline(!fused);
      a.reset();
      m.forward(ids.slice(0, 20), { cache: a, logits: "last" });
      for (let s = 0; s < 10; s++) m.forward([ids[20 + s]!], { cache: a });
      a.truncate(21);
      const after = new Float32Array(100);
      for (let s = 0; s < 5; s++) after.set(m.forward([ids[40 + s]!], { cache: a }).data, s * 20);
      b.reset();
      setDecodeBaseline(true);
      m.forward(ids.slice(0, 21), { cache: b, logits: "last" });
      const fresh = new Float32Array(100);
      for (let s = 0; s < 5; s++) fresh.set(m.forward([ids[40 + s]!], { cache: b }).data, s * 20);
      expect(bytes(after).equals(bytes(fresh))).toBe(true);
    }
  });

  it("in a fork, copy a shared block before writing into it, and leave the other cache's rows as they were", () => {
    setFma(fma);
    const logits = (fused: boolean): { a: Float32Array; b: Float32Array; rows: Buffer } => {
      setDecodeBaseline(!fused);
      const a = new PagedCache(config, { blockSize: 8 });
      m.forward(ids.slice(0, 20), { cache: a, logits: "last" }); // block 2 is half full: shared, then written by both
      const b = a.fork();
      const before = rowsOf(a);
      const out = { a: new Float32Array(100), b: new Float32Array(100) };
      for (let s = 0; s < 5; s++) {
        out.b.set(m.forward([ids[30 + s]!], { cache: b }).data, s * 20);
        if (s === 0) expect(rowsOf(a).equals(before)).toBe(true); // b's write went to its own copy
        out.a.set(m.forward([ids[40 + s]!], { cache: a }).data, s * 20);
      }
      return { ...out, rows: Buffer.concat([rowsOf(a), rowsOf(b)]) };
    };
    const want = logits(false), got = logits(true);
    expect(bytes(got.a).equals(bytes(want.a))).toBe(true);
    expect(bytes(got.b).equals(bytes(want.b))).toBe(true);
    expect(got.rows.equals(want.rows)).toBe(true);
  });

  it("past the cache's capacity: append's error", () => {
    setFma(fma);
    setDecodeBaseline(false);
    const small = makeConfig({ contextLength: 10, positional: "sinusoidal" });
    const model = TinyLM.init(small, { seed: 1 });
    const cache = new PagedCache(small, { blockSize: 4 }); // room for 12 rows in the tables, capacity 10
    model.forward(ids.slice(0, 9), { cache, logits: "last" });
    model.forward([1], { cache }); // position 9: the last
    expect(() => model.forward([1], { cache })).toThrow(ContextError);
    expect(() => model.forward([1], { cache })).toThrow(/capacity of 10/);
    expect(cache.decodeBlocks(10)).toBeNull();
    expect(cache.decodeBlocks(3)).toBeNull(); // not the next position
  });
});
