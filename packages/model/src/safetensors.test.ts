import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configToJson, makeConfig } from "./config.js";
import { WeightsError } from "./errors.js";
import { TinyLM } from "./model.js";
import { parseSafetensors, serializeSafetensors } from "./safetensors.js";
import { loadModel, MAX_WEIGHTS_FILE_BYTES, saveModel } from "./weights-file.js";
import { getParameter, parameterSpecs } from "./weights.js";

const config = makeConfig({ contextLength: 8 });
const model = TinyLM.init(config, { seed: 3, std: 0.3, perturb: 0.2 });
const good = serializeSafetensors(config, model.weights);

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

/** A file from raw header text and data bytes, the header length given or the text's own. */
function rawFile(headerText: string, data: Uint8Array, length?: number): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The header text and data section of a file. */
function split(bytes: Uint8Array): { text: string; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { text: new TextDecoder().decode(bytes.subarray(8, 8 + n)), data: bytes.subarray(8 + n) };
}

/** The bytes of a float32 array, for comparisons that do not box 100k numbers. */
const bytesOf = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

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
      expect(bytesOf(getParameter(back.weights, spec.name).data).equals(bytesOf(getParameter(model.weights, spec.name).data))).toBe(true);
    }
    expect(Buffer.from(serializeSafetensors(back.config, back.weights)).equals(good)).toBe(true); // Buffer.equals: bytes, not boxed numbers
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
    ["a non-F32 tensor", () => withHeader((h) => (h["ln_f.bias"].dtype = "F16")), /"ln_f.bias" has dtype "F16", expected "F32"/],
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

  it.each([
    ["a header length 4 bytes short (the JSON's padding cut, every tensor one float off)", () => {
      const { text, data } = split(good);
      return rawFile(`${text.trimEnd()}    `, data, text.trimEnd().length);
    }, /4 bytes follow the last tensor; the data section must end where the tensors do \(is the header length right\?\)/],
    ["bytes after the data", () => new Uint8Array(Buffer.concat([good, Buffer.alloc(3)])), /3 bytes follow the last tensor/],
    ["a gap between tensors", () => {
      const shifted = withHeader((h) => (h["lm_head.bias"].data_offsets = h["lm_head.bias"].data_offsets.map((x: number) => x + 8)));
      return new Uint8Array(Buffer.concat([shifted, Buffer.alloc(8)]));
    }, /"lm_head.bias" data_offsets leave bytes \d+\.\.\d+ of the data section unused; tensors must tile it exactly/],
  ])("rejects %s: the offsets must tile the data section exactly", (_, make, message) => {
    expect(parseError(make()).message).toMatch(message);
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
  ])("rejects a %s weight, naming the tensor and the first bad index", (word, value) => {
    const bytes = Buffer.from(good); // a copy
    const header = JSON.parse(split(good).text);
    const [begin] = header["blocks.1.attn.k.weight"].data_offsets as [number, number];
    const dataStart = good.length - split(good).data.length;
    bytes.writeFloatLE(value, dataStart + begin + 4 * (2 * 64 + 5)); // row 2, column 5
    bytes.writeFloatLE(value, dataStart + begin + 4 * (3 * 64)); // a later one is not the first
    const err = parseError(bytes);
    expect(err.message).toBe(`safetensors: "blocks.1.attn.k.weight" holds ${word} at index [2, 5] (flat 133); weights must be finite. The file is corrupt, or was saved from a model that diverged.`);
    expect(err.tensor).toBe("blocks.1.attn.k.weight");
  });

  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  it.each([
    ["dtype", /"tok_emb.weight" has dtype \[\[…\]\], expected "F32"/],
    ["shape", /"tok_emb.weight" has shape \[\[…\]\], expected \[20, 64\]/],
    ["data_offsets", /"tok_emb.weight" has data_offsets \[\[…\]\], expected \[begin, end\]/],
  ])("rejects a 10,000-deep %s with a WeightsError, not a stack overflow", (key, message) => {
    const { text, data } = split(good);
    const header = JSON.parse(text);
    const mark = "\"@@DEEP@@\"";
    header["tok_emb.weight"][key] = "@@DEEP@@";
    expect(parseError(rawFile(JSON.stringify(header).replace(mark, deep), data)).message).toMatch(message);
  });

  it("rejects a 10,000-deep config value and a 100,000-deep header with a WeightsError", () => {
    const { text, data } = split(good);
    const header = JSON.parse(text);
    header.__metadata__.config = JSON.stringify({ ...configToJson(config), n_layers: "@@" }).replace('"@@"', deep);
    expect(parseError(rawFile(JSON.stringify(header), data)).message).toMatch(/__metadata__.config is invalid: config: n_layers must be an integer in \[1, 1024\]; got \[\[…\]\]/);
    const deeper = "[".repeat(100_000) + "]".repeat(100_000);
    expect(parseError(rawFile(`{"a": ${deeper}}`, data)).message).toMatch(/^safetensors: (header is nested too deeply to parse|__metadata__.config is missing)/);
  });

  it("quotes at most a short prefix of the input in its messages", { timeout: 60_000 }, () => {
    const long = "x".repeat(1_000_000);
    const cases = [
      withHeader((h) => (h["ln_f.bias"].dtype = long)),
      withHeader((h) => (h["ln_f.bias"].data_offsets = Array.from({ length: 1_000_000 }, (_, i) => i))),
      withHeader((h) => (h["ln_f.bias"].shape = Array.from({ length: 100_000 }, () => 1))),
      withHeader((h) => (h[long] = h["ln_f.bias"])),
      withHeader((h) => (h.__metadata__.config = JSON.stringify({ ...configToJson(config), positional: long }))),
      withHeader((h) => (h.__metadata__.config = JSON.stringify({ ...configToJson(config), [long]: 1 }))),
      withHeader((h) => (h.__metadata__.config = `{"a": "${long}`)),
    ];
    for (const bytes of cases) {
      const err = parseError(bytes);
      expect(err.message.length).toBeLessThan(300);
      expect(err.message).toMatch(/…|is not valid JSON/); // the cut is marked
      expect(err.message).not.toMatch(/x{61}/);
    }
  });

  it("refuses a config too large to build before building anything (n_layers 1e9)", () => {
    const bytes = withHeader((h) => (h.__metadata__.config = JSON.stringify({ ...configToJson(config), n_layers: 1e9 })));
    expect(parseError(bytes).message).toMatch(/__metadata__.config is invalid: config: n_layers must be an integer in \[1, 1024\]; got 1000000000/);
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
    expect(readFileSync(path).equals(good)).toBe(true);
    expect(bytesOf(loadModel(path).forward([0, 1]).data).equals(bytesOf(model.forward([0, 1]).data))).toBe(true);
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

describe("loadModel checks what it reads before reading it", () => {
  it.each([
    ["a directory", () => mkdtempSync(join(tmpdir(), "tinylm-")), /weights: ".*" is a directory; expected a .safetensors file/],
    ["a device (/dev/zero, endless)", () => "/dev/zero", /weights: "\/dev\/zero" is a device; expected a .safetensors file/],
    ["a FIFO (opening it would wait for a writer)", () => {
      const path = join(mkdtempSync(join(tmpdir(), "tinylm-")), "fifo");
      execFileSync("mkfifo", [path]);
      return path;
    }, /weights: ".*fifo" is a pipe \(FIFO\); expected a .safetensors file/],
    ["a file larger than the largest model", () => {
      const path = join(mkdtempSync(join(tmpdir(), "tinylm-")), "huge.safetensors");
      writeFileSync(path, "");
      truncateSync(path, MAX_WEIGHTS_FILE_BYTES + 1); // sparse: no disk used
      return path;
    }, /weights: ".*huge.safetensors" is 1,178,599,433 bytes, more than the 1,178,599,432 of the largest model/],
  ])("refuses %s at once", (_, make, message) => {
    expect(() => loadModel(make())).toThrow(message);
  });

  it("quotes a long path short", () => {
    const err = (() => { try { loadModel(`/nonexistent/${"d".repeat(5000)}`); } catch (e) { return e as Error; } })()!;
    expect(err.message.length).toBeLessThan(400);
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
