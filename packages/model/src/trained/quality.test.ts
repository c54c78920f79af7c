// The committed models do what their model card says. The figures are in ../../models/quality.json,
// written by scripts/measure-quality.mjs; the test reruns the same deterministic measurements and reads
// its thresholds from that file (nothing here is tuned to pass): the greedy continuations of the prompts
// are grammatical at the stated rate, and the long models find the topic 64+ words back with the full
// cache at the stated accuracy, and measurably less often when a sliding window has dropped it.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { BUNDLED_MODELS, loadBundledModel } from "./bundled.js";
import { continuationRate, qualityPlan, topicAccuracy, type QualityPlan } from "./quality.js";

vi.setConfig({ testTimeout: 300_000 }); // a busy 2-core machine: these run whole generations

interface Figures {
  readonly plan: QualityPlan;
  readonly greedy_rate: number;
  readonly topic_accuracy: { readonly full: number; readonly sliding_window: number; readonly sinks: number };
}
const stored = JSON.parse(readFileSync(new URL("../../models/quality.json", import.meta.url), "utf8")) as { models: Record<string, Figures> };

// Greedy picks are deterministic, but two kernel backends may break a near-tie differently: one flipped
// word in a few hundred is allowed, nothing more.
const SLACK = 0.01;

describe.each(BUNDLED_MODELS.map((n) => [n]))("the committed %s model", (name) => {
  const model = loadBundledModel(name);
  const figures = stored.models[name]!;

  it("is measured with the plan the card states", () => {
    expect(qualityPlan(model)).toEqual(figures.plan);
  });

  it("continues the prompts grammatically (greedy) at the card's rate", () => {
    expect(continuationRate(model, figures.plan, 0)).toBeGreaterThanOrEqual(figures.greedy_rate - SLACK);
  });

  it("finds the topic far back with the full cache at the card's accuracy, and a sliding window loses it", () => {
    const full = topicAccuracy(model, figures.plan, "full");
    expect(full).toBeGreaterThanOrEqual(figures.topic_accuracy.full - SLACK);
    if (model.config.contextLength > 32) {
      const window = topicAccuracy(model, figures.plan, "sliding-window");
      expect(window).toBeLessThanOrEqual(figures.topic_accuracy.sliding_window + SLACK);
      if (figures.topic_accuracy.full > figures.topic_accuracy.sliding_window + 0.1) expect(full).toBeGreaterThan(window + 0.1);
    }
  });
});
