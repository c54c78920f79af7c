// Attention sinks, measured: the share of attention each layer puts on the first positions of a text,
// against what uniform attention over the visible keys would give them. StreamingLLM found that trained
// LLMs park attention on the first tokens (a "sink"); whether this model does is an empirical question,
// answered here for its weights (and, for contrast, for seeded random ones).
import type { Tensor } from "@tinylm/tensor";
import { TextGenerator } from "../language/generator.js";
import type { TinyLM } from "../model.js";
import { EVAL_SEEDS } from "./evaluate.js";

export interface LayerMass {
  readonly layer: number;
  /** Mean attention probability on each of the first positions (0 .. first - 1), over heads, texts and queries. */
  readonly mass: number[];
  /** The same for uniform attention over each query's visible keys. */
  readonly uniform: number[];
}

/** A sink: the first positions take at least this share of attention, and at least 5x their uniform share. */
export const SINK_SHARE = 0.2;

/** True when layer `m`'s first positions hold a sink by the rule of SINK_SHARE. */
export function isSink(m: LayerMass): boolean {
  const mass = m.mass.reduce((a, b) => a + b, 0), uniform = m.uniform.reduce((a, b) => a + b, 0);
  return mass >= SINK_SHARE && mass >= 5 * uniform;
}

/**
 * Per layer, the mean attention on positions 0 .. first - 1 of queries at positions from `first` on,
 * over `texts` seeded texts of `length` words (one forward pass each, every row observed).
 */
export function attentionMass(model: TinyLM, texts: number, length: number, first = 4): LayerMass[] {
  const L = model.config.nLayers;
  const mass = Array.from({ length: L }, () => new Float64Array(first));
  const uniform = new Float64Array(first);
  const counts = new Float64Array(L);
  let queries = 0;
  const gen = new TextGenerator(EVAL_SEEDS.texts);
  for (let n = 0; n < texts; n++) {
    const ids = gen.text({ length });
    model.forward(ids, {
      onAttention: (layer: number, _head: number, probs: Tensor, positions: ArrayLike<number>) => {
        const [T, S] = probs.shape as [number, number];
        for (let t = first; t < T; t++) {
          for (let j = 0; j < S; j++) {
            const p = positions[j]!;
            if (p < first) mass[layer]![p]! += probs.get(t, j);
          }
          counts[layer]!++;
        }
      },
    });
    for (let t = first; t < ids.length; t++) {
      for (let p = 0; p < first; p++) uniform[p] = uniform[p]! + 1 / (t + 1);
      queries++;
    }
  }
  return mass.map((m, layer) => ({
    layer,
    mass: Array.from(m, (x) => x / counts[layer]!),
    uniform: Array.from(uniform, (x) => x / queries),
  }));
}
