import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeConfig, TinyLM } from "@tinylm/model";
import { saveModel } from "@tinylm/model/node";
import { memoryIo } from "./io.js";
import { runSummary } from "./summary.js";

describe("runSummary", () => {
  it("prints the table with 105,172 at the defaults", () => {
    const io = memoryIo();
    runSummary({}, io);
    expect(io.stdout()).toContain("Total params: 105,172");
    expect(io.stderr()).toBe("");
  });

  it("prints exactly one JSON object with --json", () => {
    const io = memoryIo();
    runSummary({ json: true, contextLength: 1000 }, io);
    expect(io.stdout().trimEnd().split("\n")).toHaveLength(1);
    const json = JSON.parse(io.stdout());
    expect(Object.keys(json)).toEqual(["config", "groups", "total", "bytes"]);
    expect(json.total).toBe(105_172 + (1000 - 32) * 64);
  });

  it("summarises a weights file with its own config, and refuses a flag that disagrees", () => {
    const path = join(mkdtempSync(join(tmpdir(), "tinylm-summary-")), "m.safetensors");
    saveModel(path, TinyLM.init(makeConfig({ contextLength: 8, nHeads: 2 }), { seed: 1 }));
    const io = memoryIo();
    runSummary({ weights: path, json: true, nHeads: 2 }, io);
    expect(JSON.parse(io.stdout()).config).toMatchObject({ context_length: 8, n_heads: 2 });
    expect(() => runSummary({ weights: path, contextLength: 32 }, memoryIo())).toThrow(
      `--context-length 32 disagrees with the weights file "${path}" (context_length 8); the config comes from the file, so drop --context-length`,
    );
  });
});
