// Helpers shared by the tests of the decode step as one kernel program over a cache in place
// (decode-rows, decode-blocks and decode-int8 tests; not exported from the package).
import { setDecodeBaseline } from "@tinylm/tensor";
import type { KVCache } from "./kv-cache/types.js";
import type { TinyLM } from "./model.js";

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
