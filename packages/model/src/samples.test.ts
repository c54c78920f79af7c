// n samples sharing the prompt's paged blocks: each equals a run alone with its seed; the shared pool holds
// fewer bytes than n caches of their own; every block goes back to the pool, also when a run is aborted.
import { describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { generateSync } from "./generate.js";
import { PagedCache } from "./kv-cache/paged-cache.js";
import { TinyLM } from "./model.js";
import { sampleMany } from "./samples.js";

const model = TinyLM.init(makeConfig({ contextLength: 96, nHeads: 2 }), { seed: 31, std: 0.2, perturb: 0.2 });
const prompt = Array.from({ length: 37 }, (_, i) => (i * 7 + 3) % 20);
const sampling = { temperature: 1, topK: 10, seed: 40 };

describe("sampleMany", () => {
  it("gives each sample the tokens of a run alone with its seed (blocks of 5 and 16)", () => {
    for (const blockSize of [5, 16]) {
      const r = sampleMany(model, prompt, { n: 6, maxNewTokens: 30, sampling, blockSize });
      expect(r.samples).toHaveLength(6);
      r.samples.forEach((s, i) => {
        expect(s.seed).toBe(40 + i);
        expect(s.ids).toEqual(generateSync(model, prompt, { cache: "paged", blockSize, maxNewTokens: 30, sampling: { ...sampling, seed: 40 + i } }).ids);
      });
      expect(new Set(r.samples.map((s) => s.ids.join())).size).toBeGreaterThan(1); // the seeds differ
      expect(r.blocksInUse).toBe(0);
    }
  });

  it("holds the prompt once: 8 samples use less memory than 8 caches of their own", () => {
    const r = sampleMany(model, prompt, { n: 8, maxNewTokens: 20, sampling, blockSize: 16 });
    const L = model.config.nLayers, block = 2 * 16 * 64 * 4;
    expect(r.bytes.separate).toBe(8 * L * Math.ceil((37 + 19) / 16) * block);
    // shared: the prompt's 3 blocks per layer once, then each sample's own from the block holding position 37
    // (2 per layer), less one: the last sample to write into the prompt's partly filled block is its only holder
    // by then, and writes in place
    expect(r.bytes.shared).toBe(L * (3 + 8 * 2 - 1) * block);
    expect(r.bytes.shared).toBeLessThan(r.bytes.separate);
  });

  it("copies a shared block on the first write into it, and the other holder keeps its rows", () => {
    const root = new PagedCache(model.config, { blockSize: 4 });
    model.forward(prompt.slice(0, 6), { cache: root }); // blocks 0 (full) and 1 (2 rows)
    const a = root.fork(), b = root.fork();
    expect(a.blockTable(0)).toEqual(root.blockTable(0));
    const shared = root.blockTable(0);
    model.forward([1], { cache: a });
    expect(a.blockTable(0)[0]).toBe(shared[0]); // the full block is still shared
    expect(a.blockTable(0)[1]).not.toBe(shared[1]); // the one written into was copied
    expect(b.blockTable(0)).toEqual(shared);
    const direct = new PagedCache(model.config, { blockSize: 4 });
    model.forward(prompt.slice(0, 6), { cache: direct });
    expect(Buffer.from(model.forward([2], { cache: b }).data.buffer)).toEqual(Buffer.from(model.forward([2], { cache: direct }).data.buffer));
    for (const c of [root, a, b]) c.reset();
    expect(root.pool.inUse).toBe(0);
  });

  it("an aborted run returns the tokens so far and frees every block", () => {
    let checks = 0;
    const signal = { get aborted() { return ++checks > 5; } } as AbortSignal;
    const r = sampleMany(model, prompt, { n: 4, maxNewTokens: 30, sampling, signal });
    expect(r.aborted).toBe(true);
    expect(r.samples.every((s) => s.ids.length === 6)).toBe(true);
    expect(r.blocksInUse).toBe(0);
  });

  it("refuses more samples than the budget allows, naming how many fit", () => {
    const block = 2 * 16 * 64 * 4, L = 3;
    const budget = L * (3 + 4 * 2) * block; // the prompt's blocks and 4 samples' own
    expect(sampleMany(model, prompt, { n: 4, maxNewTokens: 20, sampling, budgetBytes: budget }).samples).toHaveLength(4);
    expect(() => sampleMany(model, prompt, { n: 5, maxNewTokens: 20, sampling, budgetBytes: budget })).toThrow(ConfigError);
    expect(() => sampleMany(model, prompt, { n: 5, maxNewTokens: 20, sampling, budgetBytes: budget })).toThrow(/^config: num_samples needs up to \d+ bytes of KV blocks \(20 tokens each, blocks of 16\), more than the budget of \d+ bytes; at most 4 fit; got 5$/);
    expect(() => sampleMany(model, prompt, { n: 0 })).toThrow(/num_samples must be an integer >= 1/);
  });
});
