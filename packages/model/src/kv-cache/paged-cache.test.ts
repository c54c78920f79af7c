// `paged`: memory grows by blocks, the block tables map positions to pool blocks, and a reset cache reuses
// its blocks (in another physical order) and stays exact. Exactness against `none` is in exactness.test.ts.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { BlockPool } from "./block-pool.js";
import { decode, sharpModel, tokensOf } from "./drive.test-utils.js";
import { createCache } from "./index.js";
import { PagedCache } from "./paged-cache.js";

const model = sharpModel({ contextLength: 64, nHeads: 2 }, 31);
const { nLayers: L, dModel: d } = model.config;
const blockBytes = 2 * 4 * d * 4; // keys and values of one 4-position block of one layer

describe("PagedCache", () => {
  it("takes a block per layer from the pool each time a position starts a new block", () => {
    const cache = new PagedCache(model.config, { blockSize: 4 });
    expect(cache.bytes()).toEqual({ allocated: L * 2 * 4 * 16, used: 0 }); // the block tables only: 16 blocks of 4 fill the context
    const tokens = tokensOf(40);
    model.forward(tokens.slice(0, 6), { cache }); // prefill: positions 0..5, blocks 0 and 1
    expect(cache.pool.created).toBe(2 * L);
    const blocks: number[] = [];
    for (let p = 6; p < 40; p++) {
      model.forward([tokens[p]!], { cache });
      blocks.push(cache.pool.created);
      // allocated = the pool's blocks + the block tables (two addresses per block of the context, per layer)
      expect(cache.bytes().allocated - cache.pool.bytes).toBe(L * 2 * 4 * Math.ceil(model.config.contextLength / 4));
    }
    // blocks after positions 6..39: L more exactly when p is a multiple of 4
    expect(blocks).toEqual(Array.from({ length: 34 }, (_, i) => L * Math.ceil((i + 7) / 4)));
    expect(cache.pool.bytes).toBe(10 * L * blockBytes);
    expect(cache.bytes().used).toBe(40 * 2 * L * d * 4);
    expect(cache.bytes().allocated).toBeLessThan(createCache("full", model.config).bytes().allocated);
  });

  it("keeps one block table per layer: ceil(n / B) distinct pool blocks each, none shared", () => {
    const cache = new PagedCache(model.config, { blockSize: 5 });
    model.forward(tokensOf(23), { cache });
    const tables = Array.from({ length: L }, (_, layer) => cache.blockTable(layer));
    tables.forEach((t) => expect(t).toHaveLength(5));
    expect(new Set(tables.flat()).size).toBe(5 * L);
    expect(cache.pool.inUse).toBe(5 * L);
  });

  it("returns its blocks to the pool on reset and refills from them, exactly, in another physical order", () => {
    const cache = new PagedCache(model.config, { blockSize: 4 });
    const prompt = tokensOf(3);
    const first = decode(model, cache, prompt, 30);
    const created = cache.pool.created;
    const before = cache.blockTable(0);
    cache.reset();
    expect(cache.length).toBe(0);
    expect(cache.pool.inUse).toBe(0);
    expect(cache.bytes().used).toBe(0);
    expect(cache.bytes().allocated).toBeGreaterThan(0); // the blocks are kept for reuse
    const again = decode(model, cache, prompt, 30);
    expect(cache.pool.created).toBe(created); // nothing new allocated
    expect(cache.blockTable(0)).not.toEqual(before); // the same blocks, mapped differently
    expect(new Set(cache.blockTable(0))).not.toEqual(new Set(before));
    expect(again).toEqual(first);
    expect(again.logits).toEqual(decode(model, createCache("full", model.config), prompt, 30).logits);
  });

  it("refills a reset cache by prefill from the same blocks in the same order", () => {
    const cache = new PagedCache(model.config, { blockSize: 4 });
    const prompt = tokensOf(30);
    model.forward(prompt, { cache });
    const before = Array.from({ length: L }, (_, layer) => cache.blockTable(layer));
    cache.reset();
    model.forward(prompt, { cache });
    expect(Array.from({ length: L }, (_, layer) => cache.blockTable(layer))).toEqual(before);
  });

  it("validates its block size", () => {
    expect(() => new PagedCache(model.config, { blockSize: 0 })).toThrow(ConfigError);
    expect(() => new PagedCache(model.config, { blockSize: 2.5 })).toThrow(/block_size must be an integer in \[1, 10000\]/);
    expect(new PagedCache(model.config).blockSize).toBe(Math.min(64, model.config.contextLength));
  });
});

describe("BlockPool", () => {
  it("creates blocks only when none is free, and reuses the last released first", () => {
    const pool = new BlockPool(16, 8);
    expect([pool.acquire(), pool.acquire(), pool.acquire()]).toEqual([0, 1, 2]);
    pool.release(0);
    pool.release(2);
    expect([pool.acquire(), pool.acquire(), pool.acquire()]).toEqual([2, 0, 3]);
    expect(pool.created).toBe(4);
    expect(pool.inUse).toBe(4);
    expect(pool.bytes).toBe(4 * 2 * 16 * 8 * 4);
    expect(pool.keysOf(3).shape).toEqual([16, 8]);
    expect(() => pool.release(9)).toThrow(/no block 9; expected an id in \[0, 4\)/);
  });
});
