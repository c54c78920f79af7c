import { describe, expect, it } from "vitest";
import { configFromJson, configToJson, DEFAULT_CONFIG, makeConfig } from "./config.js";
import { ConfigError } from "./errors.js";

describe("config", () => {
  it("has the exercise's defaults", () => {
    expect(DEFAULT_CONFIG).toEqual({ vocabSize: 20, dModel: 64, nLayers: 3, nHeads: 1, dFF: 128, contextLength: 32, positional: "learned", normEps: 1e-5 });
  });

  it.each([
    [{ nHeads: 3 }, /n_heads must divide d_model=64 evenly.*got 3/],
    [{ contextLength: 0 }, /context_length must be an integer in \[1, 10000\]; got 0/],
    [{ contextLength: 10001 }, /context_length must be an integer in \[1, 10000\]; got 10001/],
    [{ dModel: 1.5 }, /d_model must be a positive integer; got 1.5/],
    [{ vocabSize: 30 }, /vocab_size must be 20, the size of the fixed vocabulary; got 30/],
    [{ positional: "rope" as never }, /positional must be "learned" or "sinusoidal"; got "rope"/],
    [{ normEps: -1 }, /norm_eps must be a positive finite number; got -1/],
  ])("rejects %o with a ConfigError naming the field", (overrides, message) => {
    expect(() => makeConfig(overrides)).toThrow(ConfigError);
    expect(() => makeConfig(overrides)).toThrow(message);
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
