import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeConfig, serializeSafetensors, TinyLM } from "@tinylm/model";
import { loadModel } from "@tinylm/model/node";
import { runInit } from "./init.js";
import { memoryIo } from "./io.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "tinylm-init-"));

describe("runInit", () => {
  it("writes the same bytes as the library's seeded init, with std and perturb passed through", () => {
    const out = join(tempDir(), "m.safetensors");
    const io = memoryIo();
    runInit({ out, seed: 5, contextLength: 16, positional: "sinusoidal", nHeads: 4, std: 0.1, perturb: 0.05 }, io);
    const config = makeConfig({ contextLength: 16, positional: "sinusoidal", nHeads: 4 });
    const want = serializeSafetensors(config, TinyLM.init(config, { seed: 5, std: 0.1, perturb: 0.05 }).weights);
    const written = readFileSync(out);
    expect(written.length).toBe(want.length);
    expect(written.equals(want)).toBe(true); // byte for byte (Buffer.equals; toEqual on 425 kB is slow)
    expect(io.stdout()).toBe(`wrote ${out} (${want.length.toLocaleString("en-US")} bytes): seed 5, vocab 20, d_model 64, 3 blocks, 4 heads, d_ff 128, context_length 16, sinusoidal positions\n`);
  });

  it("gives different weights for different seeds, and the defaults load back as the default config", () => {
    const dir = tempDir();
    runInit({ out: join(dir, "a.safetensors") }, memoryIo());
    runInit({ out: join(dir, "b.safetensors"), seed: 1 }, memoryIo());
    expect(readFileSync(join(dir, "a.safetensors")).equals(readFileSync(join(dir, "b.safetensors")))).toBe(false);
    expect(loadModel(join(dir, "a.safetensors")).config).toEqual(makeConfig());
  });

  it("refuses to replace a file unless --force, and leaves it untouched", () => {
    const dir = tempDir();
    const out = join(dir, "m.safetensors");
    writeFileSync(out, "precious");
    expect(() => runInit({ out }, memoryIo())).toThrow(`init: "${out}" already exists; pass --force to overwrite it`);
    expect(readFileSync(out, "utf8")).toBe("precious");
    runInit({ out, force: true }, memoryIo());
    expect(loadModel(out).config.contextLength).toBe(32);
    expect(readdirSync(dir)).toEqual(["m.safetensors"]); // the atomic write leaves no temporary file
  });
});
