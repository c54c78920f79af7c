// truncate(length) on every strategy: after rolling back and appending something else, every logit is
// bit-identical to a cache that was only ever given the kept prefix and the new tokens (compared as bytes).
// Window strategies roll back only while they have evicted nothing, and say so with a RollbackError.
import { describe, expect, it } from "vitest";
import { RollbackError } from "../errors.js";
import { rowOf, sharpModel, tokensOf } from "./drive.test-utils.js";
import { CACHE_KINDS, createCache } from "./index.js";
import { PagedCache } from "./paged-cache.js";
import type { KVCache } from "./types.js";

const model = sharpModel({ positional: "sinusoidal", contextLength: 40, nHeads: 2 }, 61);
const options = { window: 26, sinks: 2, blockSize: 3 }; // windows of 26 rows or more: no eviction up to 26 positions
const rolling = CACHE_KINDS.filter((k) => k !== "none");

/** Feeds `tokens` in passes of the given sizes; returns every row of logits as one byte buffer. */
function feed(cache: KVCache, tokens: readonly number[], sizes: readonly number[]): Buffer {
  const rows: Float32Array[] = [];
  let at = 0;
  for (const size of sizes) {
    const out = model.forward(tokens.slice(at, at + size), { cache }); // [size, V]
    for (let i = 0; i < size; i++) rows.push(rowOf(out, i));
    at += size;
  }
  expect(at).toBe(tokens.length);
  return Buffer.concat(rows.map((r) => Buffer.from(r.buffer)));
}

describe.each(rolling)("truncate: %s", (kind) => {
  const fresh = (): KVCache => createCache(kind, model.config, options);

  it.each([
    [20, 0],
    [20, 7],
    [20, 19],
    [25, 12], // paged: a cut inside a block (blocks of 3)
    [9, 9], // to its own length: nothing changes
  ])("built to %i, truncated to %i, then fed other tokens: logits bit-identical to a cache built directly", (built, kept) => {
    const first = tokensOf(built, 1), other = tokensOf(12, 2);
    const rolled = fresh();
    feed(rolled, first, built >= 10 ? [5, 1, 1, 3, ...Array(built - 10).fill(1)] : [built]);
    rolled.truncate(kept);
    expect(rolled.length).toBe(kept);
    const then = [...first.slice(0, kept), ...other];
    const got = feed(rolled, other, [4, 1, 1, 6]);
    const direct = fresh();
    if (kept > 0) feed(direct, then.slice(0, kept), [kept]);
    const want = feed(direct, other, [4, 1, 1, 6]);
    expect(Buffer.compare(got, want)).toBe(0);
    expect(rolled.length).toBe(direct.length);
    expect(rolled.bytes().used).toBe(direct.bytes().used);
  });

  it("refuses a length that is not an integer in [0, length], in one line naming the range", () => {
    const cache = fresh();
    feed(cache, tokensOf(6), [6]);
    for (const bad of [-1, 7, 2.5, NaN]) {
      expect(() => cache.truncate(bad)).toThrow(RollbackError);
      expect(() => cache.truncate(bad)).toThrow(/cannot truncate to .*; it holds 6 positions, so the length must be an integer in \[0, 6\]$/);
    }
    expect(cache.length).toBe(6);
  });
});

describe("truncate past evicted rows", () => {
  it.each(["sliding-window", "sinks"])("%s: a RollbackError naming what was evicted and the limit, and the cache unchanged", (kind) => {
    const cache = createCache(kind, model.config, { window: 4, sinks: 2 });
    const rows = cache.capacity;
    feed(cache, tokensOf(rows), [rows]);
    cache.truncate(rows - 3); // nothing evicted yet: fine
    feed(cache, tokensOf(6, 3), [6]); // now past the window
    const length = cache.length;
    const error = (() => {
      try {
        cache.truncate(length - 1);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RollbackError);
    expect((error as RollbackError).limit).toBe(length);
    expect((error as Error).message).toMatch(new RegExp(`^${kind} cache: cannot truncate to ${length - 1}; it evicted positions .* A window cache rolls back only while its length is at most ${rows}; use "full" or "paged"`));
    expect(cache.length).toBe(length);
    cache.truncate(length); // its own length is always fine
  });

  it("none holds nothing: truncate to its length is a no-op, past it an error", () => {
    const cache = createCache("none", model.config);
    cache.truncate(0);
    expect(() => cache.truncate(1)).toThrow(RollbackError);
  });
});

describe("paged truncate returns whole blocks to the pool", () => {
  it("keeps ceil(length / B) blocks per layer and reuses the released ones", () => {
    const cache = new PagedCache(model.config, { blockSize: 4 });
    const L = model.config.nLayers;
    feed(cache, tokensOf(30), [30]);
    expect(cache.pool.inUse).toBe(8 * L);
    cache.truncate(9);
    expect(cache.pool.inUse).toBe(3 * L);
    expect(cache.blockTable(0)).toHaveLength(3);
    const created = cache.pool.created;
    feed(cache, tokensOf(20), [20]);
    expect(cache.pool.created).toBe(created); // refilled from the free list
    cache.truncate(0);
    expect(cache.pool.inUse).toBe(0);
  });
});

describe("int8 with per-channel key scales", () => {
  const channel = { keyScales: "channel" as const };
  const replay = (kept: number): { got: Buffer; want: Buffer } => {
    const first = tokensOf(36, 4), other = tokensOf(4, 5);
    const rolled = createCache("int8", model.config, channel);
    feed(rolled, first, [36]); // one full group of 32 quantized, 4 keys in the float group
    rolled.truncate(kept);
    const direct = createCache("int8", model.config, channel);
    feed(direct, first.slice(0, kept), [kept]);
    return { got: feed(rolled, other, [1, 3]), want: feed(direct, other, [1, 3]) };
  };

  it("rolls back exactly to a group boundary or inside the float group", () => {
    for (const kept of [32, 34]) {
      const { got, want } = replay(kept);
      expect(Buffer.compare(got, want)).toBe(0);
    }
  });

  it("refuses to roll back inside a quantized group (its float keys are gone), naming the lengths it can reach", () => {
    const cache = createCache("int8", model.config, channel);
    feed(cache, tokensOf(36, 4), [36]);
    expect(() => cache.truncate(20)).toThrow(RollbackError);
    expect(() => cache.truncate(20)).toThrow(/cannot truncate to 20; .* \[32, 36\]/);
    expect(cache.length).toBe(36);
  });
});

describe("paged: forks and rollbacks in place", () => {
  it("a fork truncated into a shared block and fed other tokens equals a cache built directly; its parent is unchanged", () => {
    const first = tokensOf(14, 6), other = tokensOf(6, 7);
    const parent = new PagedCache(model.config, { blockSize: 4 });
    feed(parent, first, [14]);
    const child = parent.fork();
    child.truncate(10); // inside the third block, shared with the parent
    const got = feed(child, other, [2, 1, 3]);
    const direct = createCache("paged", model.config, { blockSize: 4 });
    feed(direct, first.slice(0, 10), [10]);
    expect(Buffer.compare(got, feed(direct, other, [2, 1, 3]))).toBe(0);
    const fromParent = feed(parent, other, [6]);
    const whole = createCache("full", model.config);
    feed(whole, first, [14]);
    expect(Buffer.compare(fromParent, feed(whole, other, [6]))).toBe(0);
  });

  it("disposing one fork keeps the shared pool for the others; the last one gives the blocks back", () => {
    const parent = new PagedCache(model.config, { blockSize: 4 });
    feed(parent, tokensOf(9, 8), [9]);
    const child = parent.fork();
    parent.dispose();
    expect(parent.disposed).toBe(true);
    expect(child.pool.inUse).toBe(3 * model.config.nLayers);
    const more = feed(child, tokensOf(3, 9), [3]);
    const direct = createCache("paged", model.config, { blockSize: 4 });
    feed(direct, tokensOf(9, 8), [9]);
    expect(Buffer.compare(more, feed(direct, tokensOf(3, 9), [3]))).toBe(0);
    child.dispose();
    expect(child.pool.created).toBe(0);
  });
});
