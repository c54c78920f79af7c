// The whole model under both wasm kernel builds (plain SIMD and fused multiply-add) and on one and two
// threads: a recompute of long sequences (split over the pool by rows) gives the same bits on 1 and 2
// threads, the cached decode step reproduces the recomputed last row bit for bit, a prefill with the last
// logits only equals the full pass's last row, and both builds stay within 1e-5 of the JS reference.
import { backendInfo, setBackend, setFma, setThreads, warmThreads } from "@tinylm/tensor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { FullCache } from "./kv-cache/full-cache.js";
import { kernelBuilds } from "./kernel-builds.test-utils.js";
import { TinyLM } from "./model.js";

const initial = backendInfo();
const builds = kernelBuilds();
afterAll(() => {
  setFma(initial.fma);
  setThreads(initial.threads);
});

const m = TinyLM.init(makeConfig({ contextLength: 400, nHeads: 2 }), { seed: 5, std: 0.3, perturb: 0.2 });
const ids = Array.from({ length: 330 }, (_, i) => (i * 7 + 3) % 20);
const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, scale = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return d / scale;
}

describe.each(builds)("fma %s", (fma) => {
  beforeAll(async () => {
    setFma(fma);
    setThreads(2);
    expect(await warmThreads()).toBe(2);
  }, 30_000);

  it("recomputes 330 positions with the same bits on 1 and 2 threads, within 1e-5 of the JS kernels", () => {
    setThreads(1);
    const one = m.forward(ids).data.slice();
    setThreads(2);
    const two = m.forward(ids).data.slice();
    expect(bytes(two).equals(bytes(one))).toBe(true);
    setBackend("js");
    try {
      expect(maxRelDiff(two, m.forward(ids).data)).toBeLessThan(1e-5);
    } finally {
      setBackend("wasm");
    }
  });

  it.each([1, 2])("on %i thread(s), cached steps after a long prefill equal the recomputed last rows bit for bit", (threads) => {
    setThreads(threads);
    const cache = new FullCache(m.config);
    const prefill = m.forward(ids.slice(0, 300), { cache, logits: "last" }).data.slice();
    const full = m.forward(ids.slice(0, 300)).data;
    expect(bytes(prefill).equals(bytes(full.subarray(299 * 20)))).toBe(true);
    for (let t = 300; t < 306; t++) {
      const step = m.forward([ids[t]!], { cache }).data.slice();
      const all = m.forward(ids.slice(0, t + 1)).data;
      expect(bytes(step).equals(bytes(all.subarray(t * 20, (t + 1) * 20)))).toBe(true);
    }
  });
});
