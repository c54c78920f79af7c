// Helpers shared by the tests of the decode step as one kernel program over a cache in place
// (decode-rows, decode-blocks and decode-int8 tests; not exported from the package).
import { backendInfo, setDecodeBaseline, setFma, setThreads } from "@tinylm/tensor";
import { afterAll, expect } from "vitest";
import { makeConfig, type ModelConfig } from "./config.js";
import { PrefixCache } from "./kv-cache/prefix-cache.js";
import type { KVCache } from "./kv-cache/types.js";
import { TinyLM } from "./model.js";

/**
 * The test file's model (2 heads, weights spread wide enough that rounding shows), its config and `length`
 * token ids; after the file's tests, the decode path, the build and the threads go back to what they were.
 */
export function decodeFixture(contextLength: number): { config: ModelConfig; m: TinyLM; ids: number[] } {
  const initial = backendInfo();
  afterAll(() => {
    setDecodeBaseline(false);
    setFma(initial.fma);
    setThreads(initial.threads);
  });
  const config = makeConfig({ contextLength, nHeads: 2 });
  return { config, m: TinyLM.init(config, { seed: 5, std: 0.3, perturb: 0.2 }), ids: Array.from({ length: contextLength }, (_, i) => (i * 3 + 2) % 20) };
}

/** The bytes of a typed array's view. */
export const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** `cache` with its append wrapped to count the calls. */
export function countAppends<C extends KVCache>(cache: C): { cache: C; appends: () => number } {
  let n = 0;
  const append = cache.append.bind(cache);
  cache.append = (l, k, v) => (n++, append(l, k, v));
  return { cache, appends: () => n };
}

/**
 * Logits of `steps` decode steps of `model` after a prompt of the first `prompt` ids, fused (kernel
 * programs) or op by op (setDecodeBaseline), with an optional span per call; the cache is reset first.
 */
export function decodeLogits(model: TinyLM, ids: readonly number[], cache: KVCache, fused: boolean, steps: number, span?: { window: number; sinks: number }, prompt = 20): Float32Array {
  setDecodeBaseline(!fused);
  cache.reset();
  model.forward(ids.slice(0, prompt), { cache, logits: "last" });
  const V = model.config.vocabSize, out = new Float32Array(steps * V);
  for (let s = 0; s < steps; s++) out.set(model.forward([ids[prompt + s]!], span ? { cache, span } : { cache }).data, s * V);
  return out;
}

/**
 * The step over a cache in place against the op-by-op step, on two caches from `make`: `steps` decode
 * steps after a 20-token prompt give the same logits and leave the same `contents`, the in-place one
 * calling append only for the prompt; then the same steps through a PrefixCache over it. Returns that cache.
 */
export function expectStepsInPlace<C extends KVCache>(model: TinyLM, ids: readonly number[], make: () => C, contents: (cache: C) => Buffer, steps: number): C {
  const want = countAppends(make()), got = countAppends(make());
  const w = decodeLogits(model, ids, want.cache, false, steps);
  expect(want.appends()).toBe(model.config.nLayers * (1 + steps));
  const g = decodeLogits(model, ids, got.cache, true, steps);
  expect(got.appends()).toBe(model.config.nLayers); // the prompt's; each step wrote its rows in the program
  expect(bytes(g).equals(bytes(w))).toBe(true);
  expect(contents(got.cache).equals(contents(want.cache))).toBe(true);
  const prefix = new PrefixCache(got.cache);
  expect(bytes(decodeLogits(model, ids, prefix, true, steps)).equals(bytes(w))).toBe(true);
  expect(got.appends()).toBe(2 * model.config.nLayers);
  expect(prefix.tokens).toEqual(ids.slice(0, 20 + steps));
  return got.cache;
}
