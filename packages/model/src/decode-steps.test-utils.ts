// Helpers shared by the tests of the decode step as one kernel program over a cache in place
// (decode-rows, decode-blocks and decode-int8 tests; not exported from the package).
import { backendInfo, setDecodeBaseline, setFma, setThreads } from "@tinylm/tensor";
import { afterAll } from "vitest";
import { makeConfig, type ModelConfig } from "./config.js";
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
