// Sinusoidal position encodings (Vaswani et al. 2017): PE[p, 2i] = sin(p / 10000^(2i/d)),
// PE[p, 2i+1] = cos(p / 10000^(2i/d)), computed in float64 and stored as float32.
import type { Tensor } from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";

/**
 * How many positions the model can embed: context_length with learned positions (one row each), unbounded
 * with sinusoids. A sequence is limited by this and by its cache's positionLimit.
 */
export function embeddablePositions(config: ModelConfig): number {
  return config.positional === "learned" ? config.contextLength : Infinity;
}

/** Writes PE[p] into `out` [*, d] at row `row`. */
export function writeSinusoid(p: number, out: Tensor, row: number): void {
  const d = out.shape[1]!;
  const base = out.offset + row * out.stride[0]!, s = out.stride[1]!;
  for (let i = 0; 2 * i < d; i++) {
    const angle = p / 10000 ** ((2 * i) / d);
    out.data[base + 2 * i * s] = Math.sin(angle);
    if (2 * i + 1 < d) out.data[base + (2 * i + 1) * s] = Math.cos(angle);
  }
}
