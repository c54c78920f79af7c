// A strategy written outside @tinylm/model, as a user would write one: the README's "Write your own cache
// strategy" code, taken from the README's text (between its custom-strategy markers), compiled with esbuild
// and imported against the packages' published entry points, then passed to generate() as an instance.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { transform } from "esbuild";
import { createCache, generate, generateSync, makeConfig, PrefixCache, TinyLM, type KVCache } from "@tinylm/model";
import { describe, expect, it } from "vitest";

const bench = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The README's strategy, compiled into node_modules/.cache (so its bare imports resolve) and imported. */
async function readmeStrategy(): Promise<new (positionLimit: number) => KVCache & { length: number }> {
  const readme = readFileSync(join(bench, "..", "..", "README.md"), "utf8");
  const block = /<!-- custom-strategy:start -->\s*```ts\n([\s\S]*?)```\s*<!-- custom-strategy:end -->/.exec(readme);
  if (!block) throw new Error("README.md has no custom-strategy block");
  const { code } = await transform(block[1]!, { loader: "ts", format: "esm", target: "es2022" });
  const dir = join(bench, "node_modules", ".cache", "tinylm-readme");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `strategy-${process.pid}.mjs`);
  writeFileSync(file, code);
  return ((await import(pathToFileURL(file).href)) as { GrowingCache: new (positionLimit: number) => KVCache & { length: number } }).GrowingCache;
}

describe("the README's own strategy", () => {
  const model = TinyLM.init(makeConfig({ contextLength: 48, nHeads: 2 }), { seed: 51, std: 0.3, perturb: 0.2 });

  it("runs through generate() as an instance and gives `full`'s tokens", async () => {
    const GrowingCache = await readmeStrategy();
    const cache = new GrowingCache(48);
    const got = await generate(model, "the cat sat", { cache, maxNewTokens: 30 });
    const want = generateSync(model, "the cat sat", { cache: "full", maxNewTokens: 30 });
    expect(got.ids).toEqual(want.ids);
    expect(got.cache).toBe("growing");
    expect(cache.length).toBe(3 + 29); // the last token is produced, not fed back
    expect(got.cacheBytes.used).toBe(32 * 3 * 2 * 64 * 4);
  }, 60_000);

  it("passes the contract's length rule: append leaves length, advance(T) adds T", async () => {
    const GrowingCache = await readmeStrategy();
    const cache = new GrowingCache(48), full = createCache("full", model.config);
    for (const T of [5, 1, 3]) {
      model.forward(Array.from({ length: T }, (_, i) => i % 20), { cache });
      model.forward(Array.from({ length: T }, (_, i) => i % 20), { cache: full });
      expect(cache.length).toBe(full.length);
    }
  }, 60_000);

  it("rolls back with truncate() like `full`: the same tokens after a rollback and a new prompt", async () => {
    const GrowingCache = await readmeStrategy();
    const growing = new PrefixCache(new GrowingCache(48)), full = new PrefixCache(createCache("full", model.config));
    for (const prompt of ["the cat sat on the mat", "the cat runs", "the cat runs on the"]) {
      const got = await generate(model, prompt, { cache: growing, maxNewTokens: 6 });
      const want = await generate(model, prompt, { cache: full, maxNewTokens: 6 });
      expect(got.ids).toEqual(want.ids);
      expect(got.reusedPositions).toBe(want.reusedPositions);
    }
    expect(() => growing.truncate(99)).toThrow(/growing cache: cannot truncate to 99/);
  }, 60_000);

  it("has its positionLimit respected by the generation loop", async () => {
    const GrowingCache = await readmeStrategy();
    const r = generateSync(model, "the cat sat", { cache: new GrowingCache(10), maxNewTokens: 30 });
    expect(r.ids).toHaveLength(7);
    expect(r.stopReason).toBe("context");
  }, 60_000);
});
