import type { Tensor } from "@tinylm/tensor";
import { describe, expect, it } from "vitest";
import { NoCache } from "./no-cache.js";
import { FullCache } from "./full-cache.js";
import { decode, maxAbsDiff, sharpModel, tokensOf } from "./drive.test-utils.js";

describe("FullCache buffers are not cleared on creation", () => {
  it("never reads a row it has not written: NaN everywhere beforehand changes nothing", () => {
    const model = sharpModel({ contextLength: 48, nHeads: 2 });
    const cache = new FullCache(model.config);
    // What a reused block of kernel memory may hold. NaN survives a zero attention weight (NaN · 0 = NaN),
    // so a masked or unfilled row read by any kernel would show in the logits.
    const buffers = cache as unknown as { keys: Tensor[]; values: Tensor[] };
    for (const t of [...buffers.keys, ...buffers.values]) t.data.fill(NaN);
    const cached = decode(model, cache, tokensOf(5), 48);
    const none = decode(model, new NoCache(Infinity), tokensOf(5), 48);
    expect(cached.tokens).toEqual(none.tokens);
    expect(maxAbsDiff(cached.logits, none.logits)).toBe(0);
  });
});
