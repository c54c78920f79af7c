// A decode step run as kernel programs (decode-step.ts) gives the bits of the earlier op-by-op step
// (setDecodeBaseline: each op its own call, the single-row linears in eight-output blocks), for
// every cache strategy (rows, paged blocks and int8 rows, each read in place by the program's attention),
// with two heads, in both kernel builds, on one and two threads; and the JS backend (no programs) stays
// within 1e-5.
import { backendInfo, setBackend, setDecodeBaseline, setFma, setOneQuerySplit, setThreads, warmThreads } from "@tinylm/tensor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { CACHE_KINDS, createCache } from "./kv-cache/index.js";
import { kernelBuilds } from "./kernel-builds.test-utils.js";
import { TinyLM } from "./model.js";

const initial = backendInfo();
const builds = kernelBuilds();
afterAll(() => {
  setDecodeBaseline(false);
  setFma(initial.fma);
  setThreads(initial.threads);
});

const m = TinyLM.init(makeConfig({ contextLength: 96, nHeads: 2 }), { seed: 3, std: 0.3, perturb: 0.2 });
const ids = Array.from({ length: 80 }, (_, i) => (i * 5 + 1) % 20);
const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The logits of `steps` decode steps after a 40-token prompt, through a `kind` cache, fused or op by op. */
function decode(kind: string, fused: boolean, steps = 30): Float32Array {
  setDecodeBaseline(!fused);
  const cache = createCache(kind, m.config, kind === "sliding-window" || kind === "sinks" ? { window: 24 } : {});
  m.forward(ids.slice(0, 40), { cache, logits: "last" });
  const out = new Float32Array(steps * 20);
  for (let s = 0; s < steps; s++) out.set(m.forward([ids[40 + s]!], { cache }).data, s * 20);
  return out;
}

describe.each(builds)("fused decode, fma %s", (fma) => {
  beforeAll(async () => {
    setFma(fma);
    setThreads(2);
    await warmThreads();
  }, 30_000);

  it.each(CACHE_KINDS.filter((k) => k !== "none"))("%s cache: the op-by-op step's bits, on 1 and 2 threads", (kind) => {
    const want = decode(kind, false);
    for (const threads of [1, 2]) {
      setThreads(threads);
      expect(bytes(decode(kind, true)).equals(bytes(want))).toBe(true);
    }
  });

  it("full cache: the recomputed last rows' bits, and within 1e-5 of the JS backend", () => {
    const got = decode("full", true, 8);
    for (let s = 0; s < 8; s++) {
      const all = m.forward(ids.slice(0, 41 + s)).data;
      expect(bytes(got.subarray(s * 20, (s + 1) * 20)).equals(bytes(all.subarray((40 + s) * 20, (41 + s) * 20)))).toBe(true);
    }
    setBackend("js");
    try {
      const ref = decode("full", true, 8);
      let d = 0;
      for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(ref[i]! - got[i]!) / Math.max(1, Math.abs(ref[i]!)));
      expect(d).toBeLessThan(1e-5);
    } finally {
      setBackend("wasm");
    }
  });
});

describe.each(builds)("fused decode over a long context (one query's attention split over the pool), fma %s", (fma) => {
  const long = TinyLM.init(makeConfig({ contextLength: 800 }), { seed: 5, std: 0.3, perturb: 0.2 });
  const prompt = Array.from({ length: 700 }, (_, i) => (i * 7 + 3) % 20);

  /** The logits of 6 decode steps after the 700-token prompt (≥ 512 keys of width 64: split on 2 threads). */
  function decodeLong(kind: string, fused: boolean): Float32Array {
    setDecodeBaseline(!fused);
    const cache = createCache(kind, long.config, kind === "sliding-window" || kind === "sinks" ? { window: 600 } : {});
    long.forward(prompt, { cache, logits: "last" });
    const out = new Float32Array(6 * 20);
    for (let s = 0; s < 6; s++) out.set(long.forward([(s * 3) % 20], { cache }).data, s * 20);
    return out;
  }

  beforeAll(async () => {
    setFma(fma);
    setThreads(2);
    setOneQuerySplit("always"); // not left to timing: the split is what is tested
    while ((await warmThreads()) < 2); // a busy machine may need more than warmThreads' own patience
  }, 120_000);
  afterAll(() => setOneQuerySplit("auto"));

  it.each(CACHE_KINDS.filter((k) => k !== "none"))("%s cache: the op-by-op step's bits on 2 threads", (kind) => {
    setThreads(1);
    const want = decodeLong(kind, false);
    setThreads(2);
    expect(bytes(decodeLong(kind, true)).equals(bytes(want))).toBe(true);
  });
});
