// The whole model under both kernel backends: the wasm kernels (float32 accumulation, fused attention)
// and the JS reference kernels (float64 accumulation) give logits within 1e-5 (absolute for the GPT-2
// style init, relative to the largest logit for the deliberately sharp weights the other model tests
// use, where float32 rounding alone reaches ~1e-5), the same greedy tokens, and under each backend the
// cached decode reproduces the recomputed logits bit for bit.
import { getBackend, setBackend, type BackendName } from "@tinylm/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { makeConfig, type ModelConfig } from "./config.js";
import { generateSync } from "./generate.js";
import { FullCache } from "./kv-cache/full-cache.js";
import { TinyLM } from "./model.js";

const initial = getBackend();
afterAll(() => setBackend(initial));

function under<T>(name: BackendName, f: () => T): T {
  const previous = getBackend();
  setBackend(name);
  try {
    return f();
  } finally {
    setBackend(previous);
  }
}

const model = (overrides: Partial<ModelConfig>, seed = 3): TinyLM => TinyLM.init(makeConfig(overrides), { seed, std: 0.3, perturb: 0.2 });
const gpt2Init = (overrides: Partial<ModelConfig>, seed = 3): TinyLM => TinyLM.init(makeConfig(overrides), { seed });
const ids = Array.from({ length: 40 }, (_, i) => (i * 7 + 3) % 20);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** max |a - b| / max(1, max |b|). */
function maxRelDiff(a: Float32Array, b: Float32Array): number {
  const scale = b.reduce((m, x) => Math.max(m, Math.abs(x)), 1);
  return maxAbsDiff(a, b) / scale;
}

describe("backend parity", () => {
  it("runs the wasm kernels in this test run (the module is built)", () => {
    expect(initial).toBe("wasm");
  });

  it.each([
    ["learned", 1, 64],
    ["learned", 4, 64],
    ["sinusoidal", 2, 48],
  ] as const)("forward logits agree within 1e-5 (%s positions, %i heads, d=%i)", (positional, nHeads, dModel) => {
    for (const m of [gpt2Init({ positional, nHeads, dModel, contextLength: 64 }), model({ positional, nHeads, dModel, contextLength: 64 })]) {
      const wasm = under("wasm", () => m.forward(ids).data);
      const js = under("js", () => m.forward(ids).data);
      expect(wasm.length).toBe(ids.length * 20);
      expect(maxRelDiff(wasm, js)).toBeLessThan(1e-5);
    }
    const small = gpt2Init({ positional, nHeads, dModel, contextLength: 64 });
    expect(maxAbsDiff(under("wasm", () => small.forward(ids).data), under("js", () => small.forward(ids).data))).toBeLessThan(1e-5);
  });

  it("cached decode logits agree within 1e-5 between backends, step by step", () => {
    const m = model({ contextLength: 64 });
    const run = (): Float32Array[] => {
      const cache = new FullCache(m.config);
      const out = [m.forward(ids.slice(0, 5), { cache }).data.slice()];
      for (const id of ids.slice(5)) out.push(m.forward([id], { cache }).data.slice());
      return out;
    };
    const wasm = under("wasm", run), js = under("js", run);
    wasm.forEach((w, i) => expect(maxRelDiff(w, js[i]!)).toBeLessThan(1e-5));
  });

  it.each(["wasm", "js"] as const)("under %s, the cached step's logits equal the recomputed last row bit for bit", (name) => {
    const m = model({ contextLength: 64, nHeads: 2 });
    under(name, () => {
      const cache = new FullCache(m.config);
      m.forward(ids.slice(0, 9), { cache });
      for (let t = 9; t < 30; t++) {
        const step = Array.from(m.forward([ids[t]!], { cache }).data);
        const full = m.forward(ids.slice(0, t + 1)).data;
        expect(step).toEqual(Array.from(full.subarray(t * 20, (t + 1) * 20)));
      }
    });
  });

  it("greedy generation picks the same tokens under both backends, with and without the cache", () => {
    const m = model({ contextLength: 200, positional: "sinusoidal" }, 11);
    const tokens = (name: BackendName, cache: string): number[] => under(name, () => generateSync(m, [0, 1, 3], { maxNewTokens: 60, cache }).ids);
    const reference = tokens("js", "none");
    expect(reference).toHaveLength(60);
    expect(tokens("js", "full")).toEqual(reference);
    expect(tokens("wasm", "full")).toEqual(reference);
    expect(tokens("wasm", "none")).toEqual(reference);
  });
});
