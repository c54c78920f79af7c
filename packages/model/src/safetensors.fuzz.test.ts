// Property-based fuzz of the loader: mutated files (byte flips, truncations, header-length changes, mutated
// JSON: dtypes, shapes, offsets, nesting, metadata, non-finite or huge values) must load and generate, or fail
// with a typed error whose message is short. Seeded, so a failure is reproducible; fast-check prints the seed and the shrunk counterexample.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configToJson, makeConfig } from "./config.js";
import { ConfigError, WeightsError } from "./errors.js";
import { generateSync } from "./generate.js";
import { TinyLM } from "./model.js";
import { parseSafetensors, serializeSafetensors } from "./safetensors.js";

const config = makeConfig({ nLayers: 1, contextLength: 4 });
const good = serializeSafetensors(config, TinyLM.init(config, { seed: 1, std: 0.3, perturb: 0.1 }).weights);
const headerLength = Number(new DataView(good.buffer).getBigUint64(0, true));
const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + headerLength)));
const data = good.subarray(8 + headerLength);
const names = Object.keys(header).filter((k) => k !== "__metadata__");

/** Reassembles a file from a header object (or raw header text) and the data section. */
function assemble(text: string, body: Uint8Array = data, length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

const deep = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);
const weird = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  fc.integer({ min: 1, max: 10_000 }).map((d) => ({ deep: d })),
  fc.constantFrom(1e9, -1, 2 ** 30, 2 ** 53, 1.5, Number.MAX_SAFE_INTEGER, 0, "F16", "F64", "BF16", "I32"),
);

/** A raw JSON text for a weird value: the deep ones are spliced in as text (JSON.stringify would overflow). */
const render = (v: unknown): string => {
  if (typeof v === "object" && v !== null && "deep" in v && Object.keys(v).length === 1) return deep((v as { deep: number }).deep, "[", "]");
  return JSON.stringify(v) ?? "null";
};

/** Replaces header[a][b] with a weird value (b undefined: header[a] itself). */
function setField(a: string, b: string | undefined, value: unknown): string {
  const h = structuredClone(header);
  const mark = "@@MARK@@";
  if (b === undefined) h[a] = mark;
  else (h[a] ??= {})[b] = mark;
  return JSON.stringify(h).replace(`"${mark}"`, render(value));
}

const mutation = fc.oneof(
  // byte flips anywhere
  fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
    const b = good.slice();
    for (const [i, v] of flips) b[i] = v;
    return b;
  }),
  // truncation, or bytes appended
  fc.nat(good.length).map((n) => good.slice(0, n)),
  fc.integer({ min: 1, max: 64 }).map((n) => { const b = new Uint8Array(good.length + n); b.set(good); return b; }),
  // header length changed
  fc.oneof(fc.integer({ min: -64, max: 64 }).map(BigInt), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map((delta) => {
    const b = good.slice();
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(headerLength) + delta), true);
    return b;
  }),
  // a tensor's dtype, shape or offsets, or the tensor entry itself
  fc.tuple(fc.constantFrom(...names), fc.constantFrom("dtype", "shape", "data_offsets", undefined), weird).map(([n, k, v]) => assemble(setField(n, k, v))),
  // metadata: a config key, the config string, or __metadata__ itself
  fc.tuple(fc.constantFrom(...Object.keys(configToJson(config)), "unknown_key"), weird).map(([k, v]) => {
    const cfg = JSON.stringify({ ...configToJson(config), [k]: "@@V@@" }).replace('"@@V@@"', render(v));
    const h = structuredClone(header);
    h.__metadata__.config = cfg;
    return assemble(JSON.stringify(h));
  }),
  weird.map((v) => assemble(setField("__metadata__", "config", v))),
  weird.map((v) => assemble(setField("__metadata__", undefined, v))),
  // offsets of one tensor shifted, with the data section grown or shrunk to match or not
  fc.tuple(fc.constantFrom(...names), fc.integer({ min: -16, max: 16 }), fc.integer({ min: -16, max: 16 })).map(([n, shift, grow]) => {
    const h = structuredClone(header);
    h[n].data_offsets = h[n].data_offsets.map((x: number) => x + shift * 4);
    const body = new Uint8Array(Math.max(0, data.length + grow * 4));
    body.set(data.subarray(0, body.length));
    return assemble(JSON.stringify(h), body);
  }),
  // a NaN, an infinity or a huge finite value somewhere in the data
  fc.tuple(fc.nat(data.length / 4 - 1), fc.constantFrom(Number.NaN, Infinity, -Infinity, 3e38, -1e30)).map(([i, v]) => {
    const body = data.slice();
    new DataView(body.buffer).setFloat32(4 * i, v, true);
    return assemble(JSON.stringify(header).padEnd(headerLength), body);
  }),
);

/** What loading `bytes` gives: "ok", or the typed error's class; anything else is thrown. */
function outcome(bytes: Uint8Array): string {
  try {
    const { config: c, weights } = parseSafetensors(bytes);
    generateSync(new TinyLM(c, weights), "the cat", { maxNewTokens: 2 }); // huge finite weights fail here, typed
    return "ok";
  } catch (e) {
    if (!(e instanceof WeightsError || e instanceof ConfigError)) throw e;
    expect(e.message.length).toBeLessThan(400);
    expect(e.message).not.toContain("\n");
    return e.name;
  }
}

describe("the loader under fuzzing", () => {
  it("loads or throws a typed, short error for 3,000 mutated files", { timeout: 120_000 }, () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(mutation, (bytes) => {
        const o = outcome(bytes);
        seen.set(o, (seen.get(o) ?? 0) + 1);
      }),
      { seed: 20261202, numRuns: 3_000 },
    );
    expect(seen.get("WeightsError")).toBeGreaterThan(1_000); // the mutations do reach the checks
  });
});
