// The safetensors format, byte level: 8-byte little-endian header length N, N bytes of JSON header
// ({name: {dtype, shape, data_offsets}}, "__metadata__": {config}), then the raw little-endian data.
// Parsing validates everything and names the tensor at fault; nothing here touches the file system.
import { contiguous, formatShape, sameShape, sizeOf, tensor, type Tensor } from "@tinylm/tensor";
import { configFromJson, configToJson, DEFAULT_CONFIG, type ModelConfig } from "./config.js";
import { WeightsError } from "./errors.js";
import { getParameter, parameterSpecs, weightsFromEntries, type Weights } from "./weights.js";

/** Headers past this size are rejected before parsing (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function fail(message: string, name?: string): never {
  throw new WeightsError(`safetensors: ${message}`, name);
}

/** Reads the header length and JSON header; returns the header and where the data section starts. */
function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) fail(`file is truncated: ${bytes.length} bytes, expected at least 8 (the header length)`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes); the file is truncated or not safetensors`);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + Number(n)));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header must be a JSON object");
  return { header: header as Record<string, unknown>, dataStart: 8 + Number(n) };
}

function readConfig(header: Record<string, unknown>): ModelConfig {
  const meta = header["__metadata__"] as Record<string, unknown> | undefined;
  const raw = meta?.["config"];
  if (typeof raw !== "string") fail(`__metadata__.config is missing; expected the model config as a JSON string (keys: ${Object.keys(configToJson(DEFAULT_CONFIG)).join(", ")})`);
  try {
    return configFromJson(JSON.parse(raw));
  } catch (e) {
    return fail(`__metadata__.config is invalid: ${(e as Error).message}`);
  }
}

/** Checks one tensor's header entry against its expected shape and the data section. */
function checkEntry(name: string, entry: unknown, shape: readonly number[], dataLength: number, config: ModelConfig): [number, number] {
  const e = entry as Partial<HeaderEntry> | undefined;
  if (!e || typeof e !== "object") fail(`missing tensor "${name}"; expected F32 ${formatShape(shape)}`, name);
  if (e.dtype !== "F32") fail(`"${name}" has dtype ${String(e.dtype)}, expected F32 (float32 little endian)`, name);
  if (!Array.isArray(e.shape) || !sameShape(e.shape, shape)) {
    const cfg = `d_model=${config.dModel}, d_ff=${config.dFF}, vocab_size=${config.vocabSize}, context_length=${config.contextLength}`;
    fail(`"${name}" has shape ${Array.isArray(e.shape) ? formatShape(e.shape) : String(e.shape)}, expected ${formatShape(shape)} from config ${cfg}`, name);
  }
  const off = e.data_offsets;
  const bytes = sizeOf(shape) * 4;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isInteger(x) && x >= 0)) {
    fail(`"${name}" has data_offsets ${JSON.stringify(off)}, expected [begin, end] non-negative integers`, name);
  }
  const [begin, end] = off;
  if (end - begin !== bytes) fail(`"${name}" spans ${end - begin} bytes (data_offsets [${begin}, ${end}]), expected ${bytes} for F32 ${formatShape(shape)}`, name);
  if (end > dataLength) fail(`"${name}" data_offsets [${begin}, ${end}] run past the data section (${dataLength} bytes); the file is truncated`, name);
  return [begin, end];
}

/** Parses and validates a safetensors file's bytes into its config and weights. */
export function parseSafetensors(bytes: Uint8Array): { config: ModelConfig; weights: Weights } {
  const { header, dataStart } = readHeader(bytes);
  const config = readConfig(header);
  const specs = parameterSpecs(config);
  const expected = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(header)) {
    if (name !== "__metadata__" && !expected.has(name)) fail(`unknown tensor "${name}" for a ${config.positional}-position model; remove it or fix __metadata__.config`, name);
  }
  const dataLength = bytes.length - dataStart;
  const spans = specs.map((s) => ({ spec: s, range: checkEntry(s.name, header[s.name], s.shape, dataLength, config) }));
  const byStart = [...spans].sort((a, b) => a.range[0] - b.range[0]);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1]!, cur = byStart[i]!;
    if (cur.range[0] < prev.range[1]) fail(`"${cur.spec.name}" data_offsets overlap those of "${prev.spec.name}"`, cur.spec.name);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataLength);
  const entries = new Map<string, Tensor>();
  for (const { spec, range } of spans) {
    const data = new Float32Array(sizeOf(spec.shape));
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(range[0] + 4 * i, true);
    entries.set(spec.name, tensor(data, spec.shape));
  }
  return { config, weights: weightsFromEntries(config, entries) };
}

/** Serialises config and weights: tensors in canonical order, header padded with spaces to 8 bytes. */
export function serializeSafetensors(config: ModelConfig, weights: Weights): Uint8Array {
  const specs = parameterSpecs(config);
  const header: Record<string, unknown> = { __metadata__: { config: JSON.stringify(configToJson(config)) } };
  let offset = 0;
  for (const spec of specs) {
    const bytes = sizeOf(spec.shape) * 4;
    header[spec.name] = { dtype: "F32", shape: spec.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const spec of specs) {
    const t = getParameter(weights, spec.name);
    if (!sameShape(t.shape, spec.shape)) fail(`cannot save "${spec.name}" of shape ${formatShape(t.shape)}, expected ${formatShape(spec.shape)}`, spec.name);
    const c = contiguous(t);
    for (let i = 0; i < c.size; i++, at += 4) view.setFloat32(at, c.data[c.offset + i]!, true);
  }
  return out;
}
