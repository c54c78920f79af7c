// What the trained exercise model's attention does at the far rule (the model card says it): at the
// closing "and the" of a probe, its layer 1 puts its largest weight on the topic noun, the text's first
// noun, 16+ words back. The attention view of the terminal UI shows the same.
import { describe, expect, it } from "vitest";
import { TextGenerator } from "../language/generator.js";
import { loadBundledModel } from "./bundled.js";

/** For each layer, the position of the largest weight of the last query (one head). */
function topKeys(model: ReturnType<typeof loadBundledModel>, ids: number[]): number[] {
  const top: number[] = [];
  model.forward(ids, {
    onAttention: (layer, _head, probs) => {
      const T = probs.shape[0]!;
      let best = -1, at = -1;
      for (let j = 0; j < probs.shape[1]!; j++) if (probs.get(T - 1, j) > best) [best, at] = [probs.get(T - 1, j), j];
      top[layer] = at;
    },
  });
  return top;
}

describe("the exercise model's attention", () => {
  it("looks back to the topic noun from the closing 'and the' of every probe, in layer 1", () => {
    const model = loadBundledModel("exercise");
    const gen = new TextGenerator(5);
    let probes = 0;
    for (let i = 0; i < 50; i++) {
      const probe = gen.probe(16);
      if (probe.ids.length > model.config.contextLength) continue;
      expect(topKeys(model, probe.ids)[1], `probe ${i}`).toBe(probe.ids.indexOf(probe.topic));
      probes++;
    }
    expect(probes).toBeGreaterThan(40);
  });
});
