import { describe, expect, it } from "vitest";
import { makeConfig } from "./config.js";
import { summarize } from "./summary.js";
import { initWeights, parameterSpecs } from "./weights.js";

describe("summarize", () => {
  it("counts 105,172 parameters at the defaults, by closed form", () => {
    const { total, groups } = summarize(makeConfig());
    const d = 64, F = 128, V = 20, C = 32;
    const block = 2 * 2 * d + 4 * (d * d + d) + (F * d + F) + (d * F + d);
    expect(block).toBe(33_472);
    expect(total).toBe(V * d + C * d + 3 * block + 2 * d + (V * d + V));
    expect(total).toBe(105_172);
    expect(groups.map((g) => g.name)).toEqual(["tok_emb", "pos_emb", "blocks.0", "blocks.1", "blocks.2", "ln_f", "lm_head"]);
    expect(groups[2]!.params).toBe(block);
    expect(groups[2]!.rows.map((r) => `${r.name}:${r.type}:${r.params}`)).toEqual([
      "blocks.0.ln1:LayerNorm:128", "blocks.0.attn.q:Linear:4160", "blocks.0.attn.k:Linear:4160", "blocks.0.attn.v:Linear:4160",
      "blocks.0.attn.o:Linear:4160", "blocks.0.ln2:LayerNorm:128", "blocks.0.mlp.fc1:Linear:8320", "blocks.0.mlp.fc2:Linear:8256",
    ]);
  });

  it("changes with context_length and positional encoding", () => {
    expect(summarize(makeConfig({ contextLength: 10_000 })).total).toBe(105_172 + (10_000 - 32) * 64);
    expect(summarize(makeConfig({ positional: "sinusoidal" })).total).toBe(105_172 - 32 * 64);
  });

  it("agrees with the number of values initWeights creates", () => {
    const config = makeConfig({ nHeads: 4, contextLength: 50 });
    const weights = initWeights(config, { seed: 1 });
    expect(weights.blocks).toHaveLength(3);
    const values = parameterSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    expect(summarize(config).total).toBe(values);
  });
});
