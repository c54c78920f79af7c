import { describe, expect, it } from "vitest";
import { configFromJson, configToJson, DEFAULT_CONFIG, makeConfig, MAX_N_LAYERS } from "./config.js";
import { TinyLM } from "./model.js";
import { ConfigError } from "./errors.js";

describe("config", () => {
  it("has the exercise's defaults", () => {
    expect(DEFAULT_CONFIG).toEqual({ vocabSize: 20, dModel: 64, nLayers: 3, nHeads: 1, dFF: 128, contextLength: 32, positional: "learned", normEps: 1e-5 });
  });

  it.each([
    [{ nHeads: 3 }, /n_heads must divide d_model=64 evenly.*got 3/],
    [{ contextLength: 0 }, /context_length must be an integer in \[1, 10000\]; got 0/],
    [{ contextLength: 10001 }, /context_length must be an integer in \[1, 10000\]; got 10001/],
    [{ dModel: 1.5 }, /d_model must be an integer in \[1, 8192\]; got 1.5/],
    [{ dModel: 2 ** 30 }, /d_model must be an integer in \[1, 8192\]; got 1073741824/],
    [{ nLayers: 1e9 }, /n_layers must be an integer in \[1, 1024\]; got 1000000000/],
    [{ dFF: 1e6 }, /d_ff must be an integer in \[1, 32768\]; got 1000000/],
    [{ nHeads: 128 }, /n_heads must be an integer in \[1, 64\]; got 128/],
    [{ nLayers: 1024, dModel: 8192 }, /n_layers with d_model=8192, d_ff=128, context_length=32 gives [\d,]+ parameters, more than the 268,435,456 \(1 GiB of float32\) a model may have; got 1024/],
    [{ vocabSize: 30 }, /vocab_size must be 20, the size of the fixed vocabulary; got 30/],
    [{ positional: "rope" as never }, /positional must be "learned" or "sinusoidal"; got "rope"/],
    [{ normEps: -1 }, /norm_eps must be a positive finite number; got -1/],
  ])("rejects %o with a ConfigError naming the field", (overrides, message) => {
    expect(() => makeConfig(overrides)).toThrow(ConfigError);
    expect(() => makeConfig(overrides)).toThrow(message);
  });

  it("checks the config before building anything from it: a huge n_layers or d_model is a ConfigError, not a hang", () => {
    expect(() => TinyLM.init({ ...DEFAULT_CONFIG, nLayers: 1e9 })).toThrow(ConfigError);
    expect(() => TinyLM.init({ ...DEFAULT_CONFIG, dModel: 2 ** 30 })).toThrow(ConfigError);
    expect(() => makeConfig({ nLayers: MAX_N_LAYERS, dModel: 8, dFF: 8 })).not.toThrow();
  });

  it("quotes a short prefix of a bad value", () => {
    const err = (() => { try { makeConfig({ positional: "x".repeat(100_000) as never }); } catch (e) { return e as Error; } })()!;
    expect(err.message).toBe(`config: positional must be "learned" or "sinusoidal"; got "${"x".repeat(60)}"…`);
  });

  it("round-trips through snake_case JSON", () => {
    const c = makeConfig({ nHeads: 4, positional: "sinusoidal", contextLength: 100 });
    expect(configToJson(c)).toMatchObject({ n_heads: 4, context_length: 100, positional: "sinusoidal", d_ff: 128 });
    expect(configFromJson(JSON.parse(JSON.stringify(configToJson(c))))).toEqual(c);
  });

  it("rejects unknown and missing keys in JSON", () => {
    expect(() => configFromJson({ ...configToJson(DEFAULT_CONFIG), heads: 2 })).toThrow(/heads is not a config key/);
    const { d_ff: _, ...missing } = configToJson(DEFAULT_CONFIG);
    expect(() => configFromJson(missing)).toThrow(/d_ff is missing/);
  });
});
