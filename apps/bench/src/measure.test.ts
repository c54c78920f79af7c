import { makeConfig, TinyLM } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { timeRun } from "./measure.js";

const model = TinyLM.init(makeConfig({ contextLength: 64 }), { seed: 3 });

describe("timeRun: one long run stands for separate runs", () => {
  for (const kind of ["none", "full"]) {
    it(`${kind}: the first n tokens of a 12-token run are the tokens of a separate n-token run`, () => {
      const long = timeRun(model, "the cat sat", kind, 12);
      expect(long.ids).toHaveLength(12);
      for (const n of [1, 2, 5, 12]) {
        expect(timeRun(model, "the cat sat", kind, n).ids).toEqual(long.ids.slice(0, n));
      }
    });

    it(`${kind}: the cumulative clock is consistent with the per-token forward passes`, () => {
      const run = timeRun(model, "the cat sat", kind, 12);
      expect(run.elapsedMs).toHaveLength(12);
      expect(run.positions).toEqual(Array.from({ length: 12 }, (_, i) => 3 + i));
      const tol = 0.01; // ms: two different monotonic clocks (performance.now and hrtime)
      expect(run.elapsedMs[0]!).toBeGreaterThanOrEqual(run.stepMs[0]! - tol); // prefill is inside the first total
      for (let i = 1; i < 12; i++) {
        // each increment of the running total contains that token's forward pass
        expect(run.elapsedMs[i]! - run.elapsedMs[i - 1]!).toBeGreaterThanOrEqual(run.stepMs[i]! - tol);
      }
      const sum = run.stepMs.reduce((s, v) => s + v, 0);
      expect(run.elapsedMs[11]!).toBeGreaterThanOrEqual(sum - tol);
    });
  }

  it("both strategies generate the same greedy tokens (the cache changes speed, not results)", () => {
    expect(timeRun(model, "the cat sat", "full", 20).ids).toEqual(timeRun(model, "the cat sat", "none", 20).ids);
  });

  it("records the cache's memory per token: none holds nothing, full its [C, d] buffers", () => {
    const none = timeRun(model, "the cat sat", "none", 4);
    const full = timeRun(model, "the cat sat", "full", 4);
    expect(none.bytes.at(-1)).toEqual({ allocated: 0, used: 0 });
    const perPosition = 2 * 3 * 64 * 4; // K and V, 3 layers, d = 64, float32
    expect(full.bytes.at(-1)).toEqual({ allocated: perPosition * 64, used: perPosition * 6 }); // 3 prompt + 3 fed back
    expect(full.capacity).toBe(64);
  });

  it("calls onToken once per token", () => {
    const seen: number[] = [];
    timeRun(model, "the cat sat", "full", 5, { onToken: (e) => seen.push(e.index) });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});
