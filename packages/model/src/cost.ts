// What generation costs, with and without the KV cache, from the config alone: the formulas that
// docs/kv-cache.md prints (a test checks the page against `formatCostTables`). FLOPs count the matrix
// products only (one multiply-add = 2 FLOPs); LayerNorm, softmax, the mask and the residual adds are
// O(t·d) per step and left out. Attention is counted causally: a query sees itself and earlier keys.
import type { ModelConfig } from "./config.js";

export type CostDimensions = Pick<ModelConfig, "vocabSize" | "dModel" | "nLayers" | "dFF">;

export interface CostConstants {
  /** q, k, v, o (4·d² each) and the MLP (2·d·d_ff) over the blocks: 2·L·(4·d² + 2·d·d_ff). 196,608 here. */
  readonly weightFlopsPerToken: number;
  /** The lm_head, V·d multiply-adds: 2·V·d. 2,560 here. */
  readonly headFlopsPerToken: number;
  /** One query against one visible key in every layer: q·k (d) and the weighted v (d), 2·2·d·L. 768 here. */
  readonly attentionFlopsPerKey: number;
  /** One position's keys and values in every layer, float32: 2·L·d·4. 1,536 here. */
  readonly cacheBytesPerToken: number;
}

export function costConstants(c: CostDimensions): CostConstants {
  const { dModel: d, nLayers: L, dFF: F, vocabSize: V } = c;
  return {
    weightFlopsPerToken: 2 * L * (4 * d * d + 2 * d * F),
    headFlopsPerToken: 2 * V * d,
    attentionFlopsPerKey: 2 * 2 * d * L,
    cacheBytesPerToken: 2 * L * d * 4,
  };
}

/** A decode step with the cache: one new token at sequence length t (it sees t keys, itself included). */
export function cachedStepFlops(c: CostDimensions, t: number): number {
  const k = costConstants(c);
  return k.weightFlopsPerToken + k.headFlopsPerToken + k.attentionFlopsPerKey * t;
}

/** A step without the cache: all t tokens again (logits for every row, as a forward pass gives), t(t+1)/2 pairs. */
export function recomputeStepFlops(c: CostDimensions, t: number): number {
  const k = costConstants(c);
  return t * (k.weightFlopsPerToken + k.headFlopsPerToken) + k.attentionFlopsPerKey * ((t * (t + 1)) / 2);
}

/**
 * A caching strategy's prefill of p tokens as generate() runs it (forward's logits "last"): every row
 * through blocks 0..L-2 and through the last block's q, k and v (the cache needs every key and value), then
 * the last row alone through that block's attention, o and MLP and the lm_head. p = 1 is a recompute of 1.
 */
export function prefillFlops(c: CostDimensions, p: number): number {
  if (p <= 0) return 0;
  const { dModel: d, nLayers: L } = c;
  const k = costConstants(c);
  const row = k.weightFlopsPerToken / L; // one row through one block's weights: 2·(4·d² + 2·d·d_ff)
  const key = k.attentionFlopsPerKey / L; // one (query, key) pair in one block: 2·2·d
  const qkv = 2 * 3 * d * d;
  return (L - 1) * (p * row + (key * p * (p + 1)) / 2) + p * qkv + (row - qkv) + key * p + k.headFlopsPerToken;
}

/**
 * Total FLOPs to generate n tokens after a prompt of p tokens. Step 0 runs the prompt in one pass and gives
 * the first new token: a recompute without the cache (every position's logits, the exercise's loop), the
 * last-row prefill with it; step i ≥ 1 feeds the sequence of length t = p + i.
 */
export function generationFlops(c: CostDimensions, promptTokens: number, n: number, cached: boolean): number {
  if (n <= 0) return 0;
  let total = cached ? prefillFlops(c, promptTokens) : recomputeStepFlops(c, promptTokens);
  for (let i = 1; i < n; i++) {
    const t = promptTokens + i;
    total += cached ? cachedStepFlops(c, t) : recomputeStepFlops(c, t);
  }
  return total;
}

/** Bytes a strategy holds for `stored` positions: int8 keeps d bytes and a float32 scale per row. */
export function cacheBytesHeld(c: CostDimensions, kind: "full" | "paged" | "sliding-window" | "sinks" | "int8", stored: number): number {
  return kind === "int8" ? 2 * c.nLayers * (c.dModel + 4) * stored : costConstants(c).cacheBytesPerToken * stored;
}

const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");
const fmt1 = (x: number): string => x.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/**
 * The numbers docs/kv-cache.md prints, as markdown: the constants, then totals for n tokens after a
 * prompt of `promptTokens` with the ratio beside n/2 and n/3.
 */
export function formatCostTables(c: CostDimensions & Pick<ModelConfig, "contextLength">, promptTokens = 3, ns: readonly number[] = [1, 10, 100, 1000, 5000]): string {
  const k = costConstants(c);
  const lines = [
    "| quantity | formula | this model |",
    "|---|---|---|",
    `| weight FLOPs per token | 2·L·(4·d² + 2·d·d_ff) | ${fmt(k.weightFlopsPerToken)} |`,
    `| lm_head FLOPs per token | 2·V·d | ${fmt(k.headFlopsPerToken)} |`,
    `| attention FLOPs per visible key | 2·2·d·L | ${fmt(k.attentionFlopsPerKey)} |`,
    `| cache bytes per token (float32) | 2·L·d·4 | ${fmt(k.cacheBytesPerToken)} |`,
    `| int8 cache bytes per token | 2·L·(d + 4) | ${fmt(cacheBytesHeld(c, "int8", 1))} |`,
    `| \`full\` cache at context_length C = ${fmt(c.contextLength)} | 2·L·d·4·C | ${fmt(k.cacheBytesPerToken * c.contextLength)} |`,
    "",
    `| n (after a ${promptTokens}-token prompt) | FLOPs without the cache | FLOPs with the cache | ratio | n/2 | n/3 |`,
    "|---|---|---|---|---|---|",
  ];
  for (const n of ns) {
    const none = generationFlops(c, promptTokens, n, false);
    const cached = generationFlops(c, promptTokens, n, true);
    lines.push(`| ${fmt(n)} | ${none.toExponential(3)} | ${cached.toExponential(3)} | ${fmt1(none / cached)} | ${fmt1(n / 2)} | ${fmt1(n / 3)} |`);
  }
  return lines.join("\n");
}
