import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configToJson, makeConfig } from "./config.js";
import { WeightsError } from "./errors.js";
import { TinyLM } from "./model.js";
import { parseSafetensors, serializeSafetensors } from "./safetensors.js";
import { loadModel, saveModel } from "./weights-file.js";
import { getParameter, parameterSpecs } from "./weights.js";

const config = makeConfig({ contextLength: 8 });
const model = TinyLM.init(config, { seed: 3, std: 0.3, perturb: 0.2 });
const good = serializeSafetensors(config, model.weights);

/** Bit-for-bit equality of two typed arrays, compared as bytes (a boxed `toEqual` over ~100k floats takes seconds). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** Splits a file into its JSON header and data, lets `edit` change the header, and reassembles. */
function withHeader(edit: (h: Record<string, any>) => void, bytes = good): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.length);
  return out;
}

const parseError = (bytes: Uint8Array): WeightsError => {
  try {
    parseSafetensors(bytes);
  } catch (e) {
    if (e instanceof WeightsError) return e;
    throw e;
  }
  throw new Error("expected a WeightsError");
};

describe("safetensors", () => {
  it("round-trips config and every tensor bit for bit", () => {
    const back = parseSafetensors(good);
    expect(back.config).toEqual(config);
    for (const spec of parameterSpecs(config)) {
      expect(sameBytes(getParameter(back.weights, spec.name).data, getParameter(model.weights, spec.name).data), spec.name).toBe(true);
    }
    expect(sameBytes(serializeSafetensors(back.config, back.weights), good)).toBe(true);
  });

  it("writes the documented layout: u64 LE header length, 8-byte aligned JSON, F32 data in canonical order", () => {
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n)));
    expect(JSON.parse(header.__metadata__.config)).toEqual(configToJson(config));
    expect(header["blocks.0.attn.q.weight"]).toMatchObject({ dtype: "F32", shape: [64, 64] });
    const tok = header["tok_emb.weight"].data_offsets[0];
    expect(new DataView(good.buffer, 8 + n + tok).getFloat32(0, true)).toBe(model.weights.tokEmb.weight.data[0]);
  });

  it.each([
    ["a truncated file (no header length)", () => good.subarray(0, 5), /file is truncated: 5 bytes, expected at least 8/],
    ["a header length past the end of the file", () => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 10n ** 9n, true); return b; }, /header length 1000000000 runs past the end of the file/],
    ["a truncated data section", () => good.subarray(0, good.length - 4), /"lm_head.bias" data_offsets \[\d+, \d+\] run past the data section/],
    ["a header that is not JSON", () => { const b = good.slice(); b[8] = 0x7b; b[9] = 0x7b; return b; }, /header is not valid JSON/],
    ["a wrong shape", () => withHeader((h) => (h["blocks.0.attn.q.weight"].shape = [64, 32])), /"blocks.0.attn.q.weight" has shape \[64, 32\], expected \[64, 64\] from config d_model=64/],
    ["a non-F32 tensor", () => withHeader((h) => (h["ln_f.bias"].dtype = "F16")), /"ln_f.bias" has dtype F16, expected F32/],
    ["a missing tensor", () => withHeader((h) => delete h["blocks.2.mlp.fc2.bias"]), /missing tensor "blocks.2.mlp.fc2.bias"; expected F32 \[64\]/],
    ["an unknown tensor", () => withHeader((h) => (h["extra.weight"] = h["ln_f.bias"])), /unknown tensor "extra.weight"/],
    ["overlapping offsets", () => withHeader((h) => (h["ln_f.bias"].data_offsets = h["ln_f.weight"].data_offsets)), /data_offsets overlap/],
    ["a wrong byte span", () => withHeader((h) => (h["ln_f.bias"].data_offsets = [0, 8])), /"ln_f.bias" spans 8 bytes .* expected 256 for F32 \[64\]/],
    ["no config metadata", () => withHeader((h) => delete h.__metadata__), /__metadata__.config is missing/],
    ["an invalid config", () => withHeader((h) => (h.__metadata__.config = JSON.stringify({ ...configToJson(config), n_heads: 5 }))), /__metadata__.config is invalid: config: n_heads must divide d_model=64/],
  ])("rejects %s with a WeightsError that says what is wrong", (_, make, message) => {
    const err = parseError(make());
    expect(err.message).toMatch(message);
    expect(err.message.startsWith("safetensors: ")).toBe(true);
  });

  it("names the tensor at fault", () => {
    expect(parseError(withHeader((h) => (h["blocks.1.ln2.weight"].shape = [63]))).tensor).toBe("blocks.1.ln2.weight");
  });
});

describe("loadModel / saveModel", () => {
  it("saves atomically and loads the same model back", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-"));
    const path = join(dir, "m.safetensors");
    saveModel(path, model);
    expect(readdirSync(dir)).toEqual(["m.safetensors"]); // no temporary file left behind
    expect(sameBytes(readFileSync(path), good)).toBe(true);
    expect(sameBytes(loadModel(path).forward([0, 1]).data, model.forward([0, 1]).data)).toBe(true);
  });

  it("leaves no partial file when the target cannot be written", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-"));
    expect(() => saveModel(join(dir, "missing-dir", "m.safetensors"), model)).toThrow(/weights: cannot write .*ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("explains a missing file and a bad file with its path", () => {
    expect(() => loadModel("/nonexistent/w.safetensors")).toThrow(/cannot read "\/nonexistent\/w.safetensors" \(ENOENT\); check the path/);
    const dir = mkdtempSync(join(tmpdir(), "tinylm-"));
    writeFileSync(join(dir, "bad.safetensors"), good.subarray(0, 100));
    expect(() => loadModel(join(dir, "bad.safetensors"))).toThrow(/safetensors: .* \(in ".*bad.safetensors"\)/);
  });
});

describe("seeded init is pinned", () => {
  // The committed fixtures were written by earlier builds: the same seed must give the same bytes on every
  // machine and every version, or weights saved by one build stop matching a seed in another.
  const fixture = (name: string): Uint8Array => readFileSync(new URL(`../fixtures/pytorch/${name}.safetensors`, import.meta.url));

  it("gives the committed default weights byte for byte (seed 0: std 0.02 matrices, zero biases, unit norms)", () => {
    const model = TinyLM.init(makeConfig(), { seed: 0 });
    expect(Buffer.from(serializeSafetensors(model.config, model.weights)).equals(Buffer.from(fixture("default-learned-1h")))).toBe(true);
    expect(getParameter(model.weights, "blocks.0.attn.q.bias").data.every((x) => x === 0)).toBe(true);
    expect(getParameter(model.weights, "blocks.2.ln2.weight").data.every((x) => x === 1)).toBe(true);
    expect(getParameter(model.weights, "ln_f.bias").data.every((x) => x === 0)).toBe(true);
  });

  it("gives the committed sharp weights byte for byte (seed 3, std 0.3, perturb 0.2, 4 heads)", () => {
    const model = TinyLM.init(makeConfig({ nHeads: 4 }), { seed: 3, std: 0.3, perturb: 0.2 });
    expect(Buffer.from(serializeSafetensors(model.config, model.weights)).equals(Buffer.from(fixture("sharp-learned-4h")))).toBe(true);
  });
});
