import { describe, expect, it } from "vitest";
import { generateSync, generateSteps } from "../generate.js";
import { sharpModel } from "./drive.test-utils.js";
import { returnCache, takeCache } from "./idle-caches.js";
import { CACHE_KINDS, createCache } from "./index.js";

describe("idle caches", () => {
  it("hands the idle cache of the same kind and options back, reset; anything else gets a new one", () => {
    const model = sharpModel({ contextLength: 64 });
    const a = takeCache(model, model.config, "full", {});
    model.forward([1, 2, 3], { cache: a });
    returnCache(model, "full", {}, a);
    expect(takeCache(model, model.config, "sliding-window", { window: 8 })).not.toBe(a);
    const again = takeCache(model, model.config, "full", {});
    expect(again).toBe(a);
    expect(again.length).toBe(0);
    expect(takeCache(model, model.config, "full", {})).not.toBe(a); // a is taken: a second one is built
    const w8 = takeCache(model, model.config, "sliding-window", { window: 8 });
    returnCache(model, "sliding-window", { window: 8 }, w8);
    expect(takeCache(model, model.config, "sliding-window", { window: 9 })).not.toBe(w8);
    const other = sharpModel({ contextLength: 64 });
    expect(takeCache(other, other.config, "sliding-window", { window: 8 })).not.toBe(w8); // per model
  });

  it.each(CACHE_KINDS.filter((k) => k !== "none"))("a reused %s cache generates what a new one does, after a longer run", (kind) => {
    const model = sharpModel({ contextLength: 64, positional: "sinusoidal", nHeads: 2 });
    const options = { maxNewTokens: 40, cache: kind, window: 12 };
    generateSync(model, [5, 6, 7, 8, 9, 10, 11], { ...options, maxNewTokens: 50 }); // leaves stale rows behind
    const reused = generateSync(model, "the cat sat", options);
    const fresh = generateSync(model, "the cat sat", { ...options, cache: createCache(kind, model.config, { window: 12 }) });
    expect(reused.ids).toEqual(fresh.ids);
  });

  it("never gives one cache to two generations running at the same time", () => {
    const model = sharpModel({ contextLength: 64 });
    const alone = [generateSync(model, "the cat sat", { maxNewTokens: 30 }).ids, generateSync(model, "a dog", { maxNewTokens: 30 }).ids];
    const a = generateSteps(model, "the cat sat", { maxNewTokens: 30 });
    const b = generateSteps(model, "a dog", { maxNewTokens: 30 });
    const ids: number[][] = [[], []];
    for (;;) {
      const x = a.next(), y = b.next(); // interleaved step by step
      if (!x.done) ids[0]!.push(x.value.id);
      if (!y.done) ids[1]!.push(y.value.id);
      if (x.done && y.done) break;
    }
    expect(ids).toEqual(alone);
  });
});
