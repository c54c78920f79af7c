// The KVCache contract, one suite run against every strategy createCache knows (with small windows and
// blocks so eviction and block boundaries happen within a few positions).
import { describe, expect, it } from "vitest";
import { CAUSAL, Rng, randn, type Tensor } from "@tinylm/tensor";
import { decode, sharpModel, tokensOf } from "./drive.test-utils.js";
import { CACHE_KINDS, createCache } from "./index.js";
import type { KVCache, KVView } from "./types.js";

const model = sharpModel({ positional: "sinusoidal", contextLength: 40, nHeads: 2 }, 41);
const { nLayers: L, dModel: d, contextLength: C } = model.config;
const options = { window: 4, sinks: 2, blockSize: 3 };
const windowed = new Set(["sliding-window", "sinks"]);
const exact = new Set(["none", "full", "paged", "sliding-window", "sinks"]); // store rows as given (int8 rounds them)

type Check = (view: KVView, k: Tensor, v: Tensor, positions: number[]) => void;

/**
 * Appends T random rows on every layer, as one forward pass does, and hands each layer's view to `check`
 * right away (a view is only valid until the next append). Returns the positions of each layer's view.
 */
function appendAll(cache: KVCache, T: number, rng: Rng, check: Check = () => {}): number[][] {
  const all = Array.from({ length: L }, (_, layer) => {
    const k = randn([T, d], rng), v = randn([T, d], rng);
    const view = cache.append(layer, k, v);
    const positions = Array.from({ length: view.keys.shape[0]! }, (_, j) => view.positions[j]!);
    check(view, k, v, positions);
    return positions;
  });
  cache.advance(T);
  return all;
}

describe.each(CACHE_KINDS)("KVCache contract: %s", (kind) => {
  const fresh = (): KVCache => createCache(kind, model.config, options);

  it("is labelled with its kind and starts empty", () => {
    const cache = fresh();
    expect(cache.kind).toBe(kind);
    expect(cache.length).toBe(0);
    expect(cache.bytes().used).toBe(0);
    expect(cache.span).toEqual(kind === "sliding-window" ? { window: 4, sinks: 0 } : kind === "sinks" ? { window: 4, sinks: 2 } : CAUSAL);
    expect(cache.positionLimit).toBe(windowed.has(kind) ? Infinity : C); // sinusoidal positions
    expect(cache.capacity).toBe(kind === "none" ? 0 : kind === "sliding-window" ? 4 : kind === "sinks" ? 6 : C);
  });

  it("advances length by exactly T per forward pass, in advance() only", () => {
    const cache = fresh();
    const rng = new Rng(1);
    let expected = 0;
    for (const T of [5, 1, 1, 3, 1, 7, 1]) {
      for (let layer = 0; layer < L; layer++) {
        expect(cache.length).toBe(kind === "none" ? 0 : expected);
        cache.append(layer, randn([T, d], rng), randn([T, d], rng));
      }
      expect(cache.length).toBe(kind === "none" ? 0 : expected);
      cache.advance(T);
      expected += T;
      expect(cache.length).toBe(kind === "none" ? 0 : expected); // none keeps nothing: every call starts at 0
    }
    if (kind !== "none") {
      cache.reset();
      for (const T of [4, 1, 2]) {
        const before = cache.length;
        model.forward(tokensOf(T), { cache });
        expect(cache.length).toBe(before + T);
      }
    }
  });

  it("returns views that hold this step's rows at their positions, and only positions seen so far", () => {
    const cache = fresh();
    const rng = new Rng(2);
    for (const T of [6, 1, 1, 2, 1, 5, 1, 1]) {
      const start = cache.length; // where this step's rows go (always 0 for none: it keeps nothing)
      appendAll(cache, T, rng, (view, k, v, positions) => {
        const S = view.keys.shape[0]!;
        expect(view.keys.shape).toEqual([S, d]);
        expect(view.values.shape).toEqual([S, d]);
        expect(new Set(positions).size).toBe(S); // no position twice
        expect(positions.every((p) => Number.isInteger(p) && p >= 0 && p < start + T)).toBe(true);
        if (!windowed.has(kind) && kind !== "none") expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: start + T }, (_, i) => i));
        for (let i = 0; i < T; i++) {
          const j = positions.indexOf(start + i);
          expect(j).toBeGreaterThanOrEqual(0);
          for (let c = 0; c < d; c++) {
            if (exact.has(kind)) {
              expect(view.keys.get(j, c)).toBe(k.get(i, c));
              expect(view.values.get(j, c)).toBe(v.get(i, c));
            } else {
              // int8: within half a step of the row's scale, max|x| / 127
              const half = (t: Tensor) => Math.max(...Array.from({ length: d }, (_, c2) => Math.abs(t.get(i, c2)))) / 254;
              expect(Math.abs(view.keys.get(j, c) - k.get(i, c))).toBeLessThanOrEqual(half(k) * (1 + 1e-6));
              expect(Math.abs(view.values.get(j, c) - v.get(i, c))).toBeLessThanOrEqual(half(v) * (1 + 1e-6));
            }
          }
        }
      });
    }
  });

  it("keeps every position a query may still see (sinks and the last `window` for the window strategies)", () => {
    if (kind === "none") return; // keeps nothing, by definition: the caller feeds the whole sequence
    const cache = fresh();
    const rng = new Rng(3);
    for (let n = 1; n <= 20; n++) {
      const positions = appendAll(cache, 1, rng)[0]!;
      const q = n - 1;
      const needed = Array.from({ length: n }, (_, p) => p).filter((p) => !windowed.has(kind) || q - p < cache.span.window || p < cache.span.sinks);
      expect([...positions].sort((a, b) => a - b)).toEqual(needed);
    }
  });

  it("reports sane memory: integers, used <= allocated, used growing with length up to capacity", () => {
    const cache = fresh();
    const rng = new Rng(4);
    let lastUsed = 0;
    for (let n = 0; n < 12; n++) {
      appendAll(cache, 1, rng);
      const { allocated, used } = cache.bytes();
      expect(Number.isInteger(allocated) && Number.isInteger(used)).toBe(true);
      expect(used).toBeLessThanOrEqual(allocated);
      expect(used).toBeGreaterThanOrEqual(lastUsed);
      if (kind !== "none") expect(used).toBeGreaterThan(0);
      lastUsed = used;
    }
    if (kind === "none") expect(cache.bytes()).toEqual({ allocated: 0, used: 0 });
  });

  it("reset() forgets every position, keeps its allocations, and the next run is the same as a fresh one", () => {
    const cache = fresh();
    const first = decode(model, cache, tokensOf(7), 20);
    const allocated = cache.bytes().allocated;
    cache.reset();
    expect(cache.length).toBe(0);
    expect(cache.bytes().used).toBe(0);
    expect(cache.bytes().allocated).toBe(allocated);
    expect(decode(model, cache, tokensOf(7), 20)).toEqual(first);
    expect(decode(model, fresh(), tokensOf(7), 20)).toEqual(first);
  });
});
