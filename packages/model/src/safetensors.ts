// The safetensors format, byte level: 8-byte little-endian header length N, N bytes of JSON header
// ({name: {dtype, shape, data_offsets}}, "__metadata__": {config}), then the raw little-endian data.
// Parsing validates everything and names the tensor at fault; nothing here touches the file system.
import { contiguous, formatShape, sameShape, sizeOf, tensor, type Tensor } from "@tinylm/tensor";
import { configFromJson, configToJson, DEFAULT_CONFIG, validateConfig, type ModelConfig } from "./config.js";
import { ArgumentError, clip, ConfigError, quote, WeightsError } from "./errors.js";
import { assertFinite, checkedFinite, checkWeights, getParameter, parameterSpecs, weightsFromEntries, type Weights } from "./weights.js";

/** Headers past this size are rejected before parsing (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

function fail(message: string, name?: string): never {
  throw new WeightsError(`safetensors: ${message}`, name);
}

/** JSON.parse, with nesting too deep for the engine turned into a WeightsError. */
function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof RangeError) fail(`${what} is nested too deeply to parse`);
    return fail(`${what} is not valid JSON (${clip((e as Error).message, 120)})`);
  }
}

/** Reads the header length and JSON header; returns the header and where the data section starts. */
function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) fail(`file is truncated: ${bytes.length} bytes, expected at least 8 (the header length)`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes); the file is truncated or not safetensors`);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + Number(n)));
  const header = parseJson(text, "header");
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header must be a JSON object");
  return { header: header as Record<string, unknown>, dataStart: 8 + Number(n) };
}

function readConfig(header: Record<string, unknown>): ModelConfig {
  const meta = header["__metadata__"];
  const raw = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)["config"] : undefined;
  if (typeof raw !== "string") fail(`__metadata__.config is missing; expected the model config as a JSON string (keys: ${Object.keys(configToJson(DEFAULT_CONFIG)).join(", ")})`);
  const json = parseJson(raw, "__metadata__.config");
  try {
    return configFromJson(json);
  } catch (e) {
    if (e instanceof ConfigError) fail(`__metadata__.config is invalid: ${e.message}`);
    throw e;
  }
}

const isShape = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => Number.isSafeInteger(n) && n >= 0);

/** Checks one tensor's header entry against its expected shape and the data section. */
function checkEntry(name: string, entry: unknown, shape: readonly number[], dataLength: number, config: ModelConfig): [number, number] {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) fail(`missing tensor "${name}"; expected F32 ${formatShape(shape)}`, name);
  const e = entry as Record<string, unknown>;
  if (e["dtype"] !== "F32") fail(`"${name}" has dtype ${quote(e["dtype"])}, expected "F32" (float32 little endian)`, name);
  const got = e["shape"];
  if (!isShape(got) || !sameShape(got, shape)) {
    const cfg = `d_model=${config.dModel}, d_ff=${config.dFF}, vocab_size=${config.vocabSize}, context_length=${config.contextLength}`;
    fail(`"${name}" has shape ${isShape(got) && got.length <= 8 ? formatShape(got) : quote(got)}, expected ${formatShape(shape)} from config ${cfg}`, name);
  }
  const off = e["data_offsets"];
  const bytes = sizeOf(shape) * 4;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0)) {
    fail(`"${name}" has data_offsets ${quote(off)}, expected [begin, end] non-negative integers`, name);
  }
  const [begin, end] = off as [number, number];
  if (end - begin !== bytes) fail(`"${name}" spans ${end - begin} bytes (data_offsets [${begin}, ${end}]), expected ${bytes} for F32 ${formatShape(shape)}`, name);
  if (end > dataLength) fail(`"${name}" data_offsets [${begin}, ${end}] run past the data section (${dataLength} bytes); the file is truncated`, name);
  return [begin, end];
}

/** True on little-endian machines (all current ones): float32 bytes can then be viewed as they are stored. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The float32 values stored in `bytes` (little endian): a view of them where `share` allows and they are
 * 4-byte aligned, else one copy of the range, then a typed-array view.
 */
function readFloats(bytes: Uint8Array, share: boolean): Float32Array {
  if (LITTLE_ENDIAN && share && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const copy = new Uint8Array(bytes); // a fresh buffer (a Buffer's slice() would share): aligned, not the file's
  if (LITTLE_ENDIAN) return new Float32Array(copy.buffer, 0, copy.length / 4);
  const view = new DataView(copy.buffer);
  const out = new Float32Array(copy.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Parses and validates a safetensors file's bytes into its config and weights. Everything is checked
 * before a tensor is built: the config's sizes, every entry's dtype, shape and offsets, that the offsets
 * tile the data section exactly (no gap, no overlap, no byte after the last tensor), and that every value
 * is finite (the first NaN or ±Infinity is named with its tensor and index).
 */
export function parseSafetensors(bytes: Uint8Array): { config: ModelConfig; weights: Weights } {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError("parseSafetensors", "bytes", bytes, "is not a Uint8Array", "the file's bytes (a Uint8Array or Buffer; loadModel reads a path)");
  return parse(bytes, false);
}

/**
 * parseSafetensors of bytes no one else holds or changes (a file just read for a model, which copies its
 * weights into kernel memory): the weights are views of `bytes` where aligned, not copies of them.
 */
export function parseOwnSafetensors(bytes: Uint8Array): { config: ModelConfig; weights: Weights } {
  const parsed = parse(bytes, true);
  checkedFinite.add(parsed.weights);
  return parsed;
}

function parse(bytes: Uint8Array, share: boolean): { config: ModelConfig; weights: Weights } {
  const { header, dataStart } = readHeader(bytes);
  const config = readConfig(header);
  const specs = parameterSpecs(config);
  const expected = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(header)) {
    if (name !== "__metadata__" && !expected.has(name)) fail(`unknown tensor ${quote(name)} for a ${config.positional}-position model; remove it or fix __metadata__.config`, clip(name));
  }
  const dataLength = bytes.length - dataStart;
  const spans = specs.map((s) => ({ spec: s, range: checkEntry(s.name, header[s.name], s.shape, dataLength, config) }));
  const byStart = [...spans].sort((a, b) => a.range[0] - b.range[0]);
  let covered = 0; // the data section up to here is tiled
  for (const { spec, range } of byStart) {
    if (range[0] < covered) fail(`"${spec.name}" data_offsets overlap those of the tensor before it (at byte ${range[0]} < ${covered})`, spec.name);
    if (range[0] > covered) fail(`"${spec.name}" data_offsets leave bytes ${covered}..${range[0]} of the data section unused; tensors must tile it exactly`, spec.name);
    covered = range[1];
  }
  if (covered !== dataLength) fail(`${dataLength - covered} bytes follow the last tensor; the data section must end where the tensors do (is the header length right?)`);
  const data = bytes.subarray(dataStart);
  const entries = new Map<string, Tensor>();
  for (const { spec, range } of spans) {
    const values = readFloats(data.subarray(range[0], range[1]), share);
    assertFinite("safetensors", spec.name, spec.shape, values, "The file is corrupt, or was saved from a model that diverged.");
    entries.set(spec.name, tensor(values, spec.shape));
  }
  return { config, weights: weightsFromEntries(config, entries) };
}

/** Serialises config and weights: tensors in canonical order, header padded with spaces to 8 bytes. */
export function serializeSafetensors(config: ModelConfig, weights: Weights): Uint8Array {
  checkWeights("serializeSafetensors", validateConfig(config), weights);
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
