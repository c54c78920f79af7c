import { describe, expect, it } from "vitest";
import { initialSettings } from "./run.js";
import { DEFAULT_SETTINGS } from "./lib/settings.js";

describe("initialSettings", () => {
  it("starts from the defaults: the exercise's model, full cache, 20 greedy tokens", () => {
    expect(initialSettings({})).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({ contextLength: 32, positional: "learned", nHeads: 1, cache: "full", maxNewTokens: 20, sampling: "greedy" });
  });

  it("takes the command line's options, the seed for both the weights and sampling", () => {
    const s = initialSettings({ weightsPath: "m.safetensors", seed: 7, contextLength: 128, positional: "sinusoidal", nHeads: 2, cache: "none" });
    expect(s).toMatchObject({ weightsPath: "m.safetensors", seed: 7, samplingSeed: 7, contextLength: 128, positional: "sinusoidal", nHeads: 2, cache: "none" });
  });

  it("ignores options given as undefined", () => {
    expect(initialSettings({ seed: undefined, contextLength: undefined })).toEqual(DEFAULT_SETTINGS);
  });
});
