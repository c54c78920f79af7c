import { describe, expect, it } from "vitest";
import { makeConfig, summarize } from "@tinylm/model";
import { formatSummary, summaryToJson } from "./format-summary.js";

// closed form at the defaults (d 64, F 128, V 20, C 32): one block is
// ln1 2d + q,k,v,o 4(d² + d) + ln2 2d + fc1 (F·d + F) + fc2 (d·F + d) = 33,472
const BLOCK = 2 * 64 + 4 * (64 * 64 + 64) + 2 * 64 + (128 * 64 + 128) + (64 * 128 + 64);

const rowOf = (table: string, module: string): string[] => {
  const line = table.split("\n").find((l) => l.split(/\s{3,}/)[0] === module);
  if (line === undefined) throw new Error(`no row for ${module} in\n${table}`);
  return line.split(/\s{3,}/);
};

describe("formatSummary", () => {
  const config = makeConfig();
  const table = formatSummary(summarize(config), config);

  it("ends with the total, 105,172 at the defaults", () => {
    expect(BLOCK).toBe(33_472);
    expect(table).toContain("Total params: 105,172\n");
    expect(table).toContain("Params size (MB): 0.42 (float32)"); // 105,172 x 4 bytes
  });

  it("gives each block a subtotal row, with its modules under it", () => {
    for (const block of ["blocks.0", "blocks.1", "blocks.2"]) expect(rowOf(table, block)).toEqual([block, "Block", "33,472"]);
    expect(rowOf(table, "├─ attn.q")).toEqual(["├─ attn.q", "Linear", "[64, 64], [64]", "4,160"]);
    expect(rowOf(table, "└─ mlp.fc2")).toEqual(["└─ mlp.fc2", "Linear", "[64, 128], [64]", "8,256"]);
    expect(table.match(/├─ ln1 /g)).toHaveLength(3);
  });

  it("lists the embeddings and the head with their shapes", () => {
    expect(rowOf(table, "tok_emb")).toEqual(["tok_emb", "Embedding", "[20, 64]", "1,280"]);
    expect(rowOf(table, "pos_emb")).toEqual(["pos_emb", "Embedding", "[32, 64]", "2,048"]);
    expect(rowOf(table, "lm_head")).toEqual(["lm_head", "Linear", "[20, 64], [20]", "1,300"]);
  });

  it("starts with the config and keeps every row the same width", () => {
    const lines = table.trimEnd().split("\n");
    expect(lines[0]).toBe("tinylm: vocab 20, d_model 64, 3 blocks, 1 head, d_ff 128, context_length 32, learned positions");
    const rows = lines.filter((l) => /\d$/.test(l) && !l.includes(":"));
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
  });

  it("has no pos_emb row for sinusoidal positions, and the total drops by C·d", () => {
    const sinusoidal = makeConfig({ positional: "sinusoidal" });
    const text = formatSummary(summarize(sinusoidal), sinusoidal);
    expect(text).not.toContain("pos_emb");
    expect(text).toContain(`Total params: ${(105_172 - 32 * 64).toLocaleString("en-US")}`);
    expect(text).toContain("Positions: sinusoidal, computed (no parameters)");
  });
});

describe("summaryToJson", () => {
  it("carries the snake_case config, a subtotal per group and the total", () => {
    const config = makeConfig({ nHeads: 4 });
    const json = summaryToJson(summarize(config), config) as { config: Record<string, unknown>; groups: { name: string; params: number }[]; total: number; bytes: number };
    expect(json.config).toMatchObject({ n_heads: 4, d_model: 64, context_length: 32 });
    expect(json.groups.map((g) => g.name)).toEqual(["tok_emb", "pos_emb", "blocks.0", "blocks.1", "blocks.2", "ln_f", "lm_head"]);
    expect(json.groups.find((g) => g.name === "blocks.1")?.params).toBe(BLOCK);
    expect(json.total).toBe(105_172);
    expect(json.bytes).toBe(105_172 * 4);
  });
});
