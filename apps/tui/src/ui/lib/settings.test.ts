import { CACHE_KINDS } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { cacheOptions, DEFAULT_SETTINGS, FIELDS, formatField, modelSettingsOf, parseField, samplingOptions } from "./settings.js";

describe("settings", () => {
  it("offers every cache strategy of the library", () => {
    expect(FIELDS.find((f) => f.key === "cache")?.choices).toEqual(CACHE_KINDS);
  });

  it("turns the sampling mode into the library's options", () => {
    const s = { ...DEFAULT_SETTINGS, temperature: 0.7, topK: 3, topP: 0.5, samplingSeed: 9 };
    expect(samplingOptions({ ...s, sampling: "greedy" })).toEqual({});
    expect(samplingOptions({ ...s, sampling: "temperature" })).toEqual({ temperature: 0.7, seed: 9 });
    expect(samplingOptions({ ...s, sampling: "top-k" })).toEqual({ temperature: 0.7, topK: 3, seed: 9 });
    expect(samplingOptions({ ...s, sampling: "top-p" })).toEqual({ temperature: 0.7, topP: 0.5, seed: 9 });
  });

  it("leaves automatic window and sinks to the library", () => {
    expect(cacheOptions(DEFAULT_SETTINGS)).toEqual({ window: undefined, sinks: undefined });
    expect(cacheOptions({ ...DEFAULT_SETTINGS, window: 8, sinks: 2 })).toEqual({ window: 8, sinks: 2 });
    expect(formatField(DEFAULT_SETTINGS, "window")).toBe("auto (half the context)");
  });

  it("parses typed values and names the field and what it expects when they are wrong", () => {
    expect(parseField("maxNewTokens", " 200 ")).toEqual({ value: 200 });
    expect(parseField("temperature", "0.5")).toEqual({ value: 0.5 });
    expect(parseField("window", "auto")).toEqual({ value: null });
    expect(parseField("weightsPath", "")).toEqual({ value: null });
    expect(parseField("weightsPath", "model.safetensors")).toEqual({ value: "model.safetensors" });
    expect(parseField("cache", "sinks")).toEqual({ value: "sinks" });
    expect(parseField("maxNewTokens", "2.5")).toEqual({ error: expect.stringMatching(/^max new tokens: got "2.5", expected an integer/) });
    expect(parseField("maxNewTokens", "-1")).toEqual({ error: expect.stringMatching(/^max new tokens: got -1, expected >= 0/) });
    expect(parseField("topP", "1.5")).toEqual({ error: "top-p: got 1.5, expected a number in (0, 1]" });
    expect(parseField("cache", "fast")).toEqual({ error: `cache strategy: got "fast", expected one of ${CACHE_KINDS.join(", ")}` });
  });

  it("separates the model settings from the run settings", () => {
    expect(Object.keys(modelSettingsOf(DEFAULT_SETTINGS)).sort()).toEqual(["contextLength", "nHeads", "positional", "seed", "weightsPath"]);
  });
});
