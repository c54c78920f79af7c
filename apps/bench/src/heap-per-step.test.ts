// heapBytesPerStep counts what a step allocates, with no collection inside a counted trial; with it, a
// cached decode step through forward(…, { cache, out }) allocates nothing (the target, per token).
import { FullCache, makeConfig, TinyLM } from "@tinylm/model";
import { argmax, getBackend, zeros } from "@tinylm/tensor";
import { describe, expect, it } from "vitest";
import { heapBytesPerStep } from "./heap-per-step.js";

let sink: unknown;

describe("heapBytesPerStep", () => {
  it("sees ~nothing for a step that allocates nothing", async () => {
    let n = 0;
    const bytes = await heapBytesPerStep(() => void (n += 1), 5000);
    expect(n).toBeGreaterThan(5000);
    expect(bytes).toBeLessThan(4);
  });

  it("sees an array's bytes for a step that allocates one (dropped at once: still counted)", async () => {
    const bytes = await heapBytesPerStep(() => void (sink = new Array(100).fill(0.5)), 2000);
    expect(bytes).toBeGreaterThan(800); // 100 doubles at 8 B, plus the array object
    expect(bytes).toBeLessThan(2000);
    expect(sink).toHaveLength(100);
  });
});

describe("a cached decode step (full cache, reused out)", () => {
  // the JS kernels allocate temporaries (the reference path); the target is the default, wasm
  it.skipIf(getBackend() !== "wasm")("allocates no JS heap per token under the wasm kernels", async () => {
    const config = makeConfig({ contextLength: 2048 });
    const model = TinyLM.init(config, { seed: 4 });
    const cache = new FullCache(config);
    const tokens = [1], out = zeros([1, config.vocabSize]), row = out.pick(0, null), options = { cache, out };
    const prompt = Array.from({ length: 32 }, (_, i) => (i * 7 + 3) % 20);
    const setup = (): void => {
      cache.reset();
      model.forward(prompt, { cache });
      for (let i = 0; i < 200; i++) step();
    };
    const step = (): void => {
      tokens[0] = argmax(row);
      model.forward(tokens, options);
    };
    const bytes = await heapBytesPerStep(step, 1000, setup);
    expect(bytes).toBeLessThan(16); // was ~360 B before the workspace; a new logits tensor alone is ~1.2 kB
  });
});
