// The bundled trained models: they load, their metadata names the training run, and a missing or damaged
// file is a one-line error that says how to restore it.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { WeightsError } from "../errors.js";
import { summarize } from "../summary.js";
import { BUNDLED_MODELS, bundledModelMetadata, bundledModelPath, DEFAULT_BUNDLED_MODEL, loadBundledModel, loadModelOrBundled } from "./bundled.js";

vi.setConfig({ testTimeout: 300_000 }); // generous: a busy 2-core machine

describe("the bundled models", () => {
  it.each(BUNDLED_MODELS.map((n) => [n]))("%s loads, and its metadata names the run that trained it", (name) => {
    const model = loadBundledModel(name);
    const meta = bundledModelMetadata(name);
    expect(meta.run).toBe(`${name}: tools/train/train.py ${name} --seed ${meta.seed}`);
    expect(meta.preset).toBe(name);
    for (const key of ["heldout_seed", "steps", "far_weight"]) expect(Number.isInteger(Number(meta[key])), key).toBe(true);
    for (const key of ["train_loss", "heldout_loss"]) expect(Number(meta[key]), key).toBeGreaterThan(0);
    const phases = JSON.parse(meta.phases!) as Record<string, number>[];
    expect(phases.length).toBeGreaterThan(0);
    for (const phase of phases) {
      for (const key of ["corpus_seed", "steps", "batch", "length", "texts"]) expect(Number.isInteger(phase[key]), key).toBe(true);
      expect(phase.length).toBeLessThanOrEqual(model.config.contextLength);
    }
    expect(phases.reduce((sum, phase) => sum + phase.steps!, 0)).toBe(Number(meta.steps));
    expect(readFileSync(bundledModelPath(name)).length).toBeLessThan(1_000_000);
  });

  it("has the exercise's exact shape by default: learned positions, context 32, 105,172 parameters", () => {
    const model = loadBundledModel();
    expect(DEFAULT_BUNDLED_MODEL).toBe("exercise");
    expect(model.config).toMatchObject({ positional: "learned", contextLength: 32, nLayers: 3, nHeads: 1, dModel: 64, dFF: 128 });
    expect(summarize(model.config).total).toBe(105_172);
  });

  it("has a long-context model of the same size (sinusoidal, trained on 256 words) and a 1-block draft of it", () => {
    const long = loadBundledModel("long");
    const draft = loadBundledModel("draft");
    expect(long.config).toMatchObject({ positional: "sinusoidal", nLayers: 3, dModel: 64, dFF: 128, nHeads: 1 });
    expect(long.config.contextLength).toBeGreaterThanOrEqual(256);
    const phases = JSON.parse(bundledModelMetadata("long").phases!) as { length: number }[];
    expect(phases.at(-1)!.length).toBeGreaterThanOrEqual(256);
    expect(draft.config).toEqual({ ...long.config, nLayers: 1 });
  });

  it("loads by name or by path", () => {
    expect(loadModelOrBundled("long").config).toEqual(loadBundledModel("long").config);
    expect(loadModelOrBundled(bundledModelPath("draft")).config).toEqual(loadBundledModel("draft").config);
  });

  it("says how to restore a missing or damaged file, in one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-bundled-"));
    const missing = () => loadBundledModel("exercise", dir);
    expect(missing).toThrow(WeightsError);
    expect(missing).toThrow("the bundled model file packages/model/models/exercise.safetensors cannot be read (ENOENT); restore it with `git checkout -- packages/model/models/exercise.safetensors`");
    copyFileSync(bundledModelPath("long"), join(dir, "long.safetensors"));
    const bytes = readFileSync(join(dir, "long.safetensors"));
    writeFileSync(join(dir, "long.safetensors"), bytes.subarray(0, bytes.length - 100)); // truncated
    const damaged = () => loadBundledModel("long", dir);
    expect(damaged).toThrow(/^weights: the bundled model file packages\/model\/models\/long.safetensors is damaged \(.*truncated.*\); restore it with `git checkout -- packages\/model\/models\/long.safetensors`$/);
    writeFileSync(join(dir, "long.safetensors"), "not a model");
    expect(damaged).toThrow(/is damaged .*git checkout -- packages\/model\/models\/long.safetensors/);
    expect(() => bundledModelMetadata("long", dir)).toThrow(/is damaged .*git checkout/);
    try {
      damaged();
    } catch (e) {
      expect((e as Error).message).not.toContain("\n");
    }
  });
});
