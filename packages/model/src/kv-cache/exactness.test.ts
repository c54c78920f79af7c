// Issue 3 §4: the exact strategies (`full`, `paged`) against `none`, the exercise's recompute loop.
// Every combination of positions (learned, sinusoidal), heads (1, 2, 4) and prompt length (1, 17, 100)
// generates to the end of a 256-position context. The reference is the literal `none` loop every time (the
// whole sequence through a NoCache every step, O(n³)), run once per combination and shared by the
// strategies: same greedy tokens, and every step's logits within 1e-5.
import { describe, expect, it } from "vitest";
import { CAUSAL, type Tensor } from "@tinylm/tensor";
import type { Positional } from "../config.js";
import { generateSync } from "../generate.js";
import { decode, maxAbsDiff, sharpModel, tokensOf, type Decoded } from "./drive.test-utils.js";
import { FullCache } from "./full-cache.js";
import { createCache } from "./index.js";
import type { KVCache, KVRows } from "./types.js";

const C = 256;
const TOLERANCE = 1e-5; // absolute, on every logit of every step

const strategies: [label: string, make: (m: ReturnType<typeof sharpModel>) => KVCache][] = [
  ["full", (m) => createCache("full", m.config)],
  ["paged (blocks of 16)", (m) => createCache("paged", m.config)],
  ["paged (blocks of 5: boundaries inside the prompt)", (m) => createCache("paged", m.config, { blockSize: 5 })],
];

const grid: [Positional, number, number][] = [];
for (const positional of ["learned", "sinusoidal"] as const) {
  for (const heads of [1, 2, 4]) for (const promptLength of [1, 17, 100]) grid.push([positional, heads, promptLength]);
}

describe.each(grid)("exact strategies vs none (%s positions, %i heads, prompt of %i)", (positional, nHeads, promptLength) => {
  const model = sharpModel({ positional, nHeads, contextLength: C }, 100 + nHeads);
  const prompt = tokensOf(promptLength, nHeads);
  let loop: Decoded | undefined; // the literal `none` loop, run once and shared
  const none = (): Decoded => (loop ??= decode(model, createCache("none", model.config), prompt, C));

  it.each(strategies)("%s: same greedy tokens and every step's logits within 1e-5 to position 255", (_, make) => {
    const got = decode(model, make(model), prompt, C);
    expect(got.tokens).toHaveLength(C);
    expect(got.tokens).toEqual(none().tokens);
    expect(maxAbsDiff(got.logits, none().logits)).toBeLessThan(TOLERANCE);
  });
});

describe("exact strategies through generate()", () => {
  it.each(["full", "paged"])("%s gives the `none` loop's tokens and stops at context_length", (kind) => {
    const model = sharpModel({ nHeads: 2, contextLength: 64 }, 3);
    const want = generateSync(model, [4, 0, 1], { maxNewTokens: 100, cache: "none" });
    const got = generateSync(model, [4, 0, 1], { maxNewTokens: 100, cache: kind, blockSize: 7 });
    expect(got.ids).toEqual(want.ids);
    expect(got.ids).toHaveLength(61);
    expect(got.stopReason).toBe("context");
  });
});

describe("the comparison is sharp enough to catch an off-by-one", () => {
  /** `full`, but each row reports the position after its own: the mask hides the newest key from every query but the last. */
  class ShiftedCache extends FullCache {
    override append(layer: number, k: Tensor, v: Tensor): KVRows {
      const view = super.append(layer, k, v);
      return { ...view, positions: Int32Array.from({ length: view.keys.shape[0]! }, (_, i) => (i === 0 ? 0 : i + 1)) };
    }
  }

  it("a cache that shifts the key positions by one misses 1e-5 by orders of magnitude", () => {
    const model = sharpModel({ contextLength: 48 }, 101);
    const prompt = tokensOf(5);
    const want = decode(model, createCache("none", model.config), prompt, 48);
    const forced = (_: Float32Array, p: number) => want.tokens[p]!;
    const got = decode(model, new ShiftedCache(model.config), prompt, 48, forced);
    expect(maxAbsDiff(got.logits, want.logits)).toBeGreaterThan(1e-2);
  });

  it("so does a mask that is plain causal where the reference is banded", () => {
    const model = sharpModel({ contextLength: 48 }, 101);
    const tokens = tokensOf(48);
    const banded = model.forward(tokens, { span: { window: 8, sinks: 0 } });
    const causal = model.forward(tokens, { span: CAUSAL });
    let diff = 0;
    for (let i = 0; i < banded.data.length; i++) diff = Math.max(diff, Math.abs(banded.data[i]! - causal.data[i]!));
    expect(diff).toBeGreaterThan(1e-2);
  });
});
