// The cost model's numbers as the markdown tables docs/kv-cache.md prints (cost.test.ts checks the page
// against these functions, so the page cannot drift from the code).
import type { ModelConfig } from "./config.js";
import { attentionCrossover, cacheBytesHeld, costConstants, generationFlops, speedupClosedForm, weightMacsPerToken, type CostDimensions } from "./cost.js";

/** 1234567 -> "1,234,567" */
export const formatCount = (x: number): string => Math.round(x).toLocaleString("en-US");
const fixed = (x: number, digits: number): string => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** FLOPs with an SI prefix and three significant figures: 1.4297e12 -> "1.43 TFLOP". */
export function formatFlops(x: number): string {
  const units: [number, string][] = [[1e12, "TFLOP"], [1e9, "GFLOP"], [1e6, "MFLOP"], [1e3, "kFLOP"]];
  const [scale, unit] = units.find(([s]) => x >= s) ?? [1, "FLOP"];
  return `${(x / scale).toPrecision(3)} ${unit}`;
}

/**
 * The constants, then totals for n tokens after a prompt of `promptTokens`, with the ratio and the ratio
 * divided by n (the n/2 and n/3 regimes of docs/kv-cache.md read off it).
 */
export function formatCostTables(c: CostDimensions & Pick<ModelConfig, "contextLength">, promptTokens = 3, ns: readonly number[] = [1, 10, 100, 1000, 5000]): string {
  const k = costConstants(c);
  const lines = [
    "| quantity | formula | this model |",
    "|---|---|---|",
    `| weight FLOPs per token | 2·L·(4·d² + 2·d·d_ff) | ${formatCount(k.weightFlopsPerToken)} |`,
    `| lm_head FLOPs per token | 2·V·d | ${formatCount(k.headFlopsPerToken)} |`,
    `| attention FLOPs per visible key | 2·2·d·L | ${formatCount(k.attentionFlopsPerKey)} |`,
    `| crossover c = (W + H) / A | W/(2dL) in multiply-adds | ${fixed(attentionCrossover(c), 1)} |`,
    `| cache bytes per token (float32) | 2·L·d·4 | ${formatCount(k.cacheBytesPerToken)} |`,
    `| int8 cache bytes per token | 2·L·(d + 4) | ${formatCount(cacheBytesHeld(c, "int8", 1))} |`,
    `| weight-matrix bytes (float32) | 4·(W + H)/2 | ${formatCount(4 * weightMacsPerToken(c).total)} |`,
    `| \`full\` cache at context_length C = ${formatCount(c.contextLength)} | 2·L·d·4·C | ${formatCount(k.cacheBytesPerToken * c.contextLength)} |`,
    "",
    `| n (after a ${promptTokens}-token prompt) | FLOPs without the cache | FLOPs with the cache | ratio R(n) | R(n) / n |`,
    "|---|---|---|---|---|",
  ];
  for (const n of ns) {
    const none = generationFlops(c, promptTokens, n, false);
    const cached = generationFlops(c, promptTokens, n, true);
    lines.push(`| ${formatCount(n)} | ${none.toExponential(3)} | ${cached.toExponential(3)} | ${fixed(none / cached, 1)} | ${fixed(none / cached / n, 3)} |`);
  }
  return lines.join("\n");
}

/** R(n) from the closed form (1-token prompt) beside the exact ratio after the bench's prompt. */
export function formatRateTable(c: CostDimensions, promptTokens = 3, ns: readonly number[] = [10, 100, 1000]): string {
  const lines = [
    `| n | R(n), closed form (1-token prompt) | R(n) / n | R(n) after a ${promptTokens}-token prompt (exact sum) |`,
    "|---|---|---|---|",
  ];
  for (const n of ns) {
    const closed = speedupClosedForm(c, n);
    const exact = generationFlops(c, promptTokens, n, false) / generationFlops(c, promptTokens, n, true);
    lines.push(`| ${formatCount(n)} | ${fixed(closed, 1)} | ${fixed(closed / n, 3)} | ${fixed(exact, 1)} |`);
  }
  return lines.join("\n");
}

/** The exercise's long run: n tokens after a prompt, with and without the cache, in FLOPs. */
export function formatLongRun(c: CostDimensions, promptTokens = 3, n = 2000): string {
  const none = generationFlops(c, promptTokens, n, false), cached = generationFlops(c, promptTokens, n, true);
  return [
    `| ${formatCount(n)} tokens after a ${promptTokens}-token prompt | FLOPs | ratio |`,
    "|---|---|---|",
    `| without the cache (\`none\`) | ${formatFlops(none)} (${none.toExponential(3)}) | ${fixed(none / cached, 0)}× |`,
    `| with the cache (\`full\`) | ${formatFlops(cached)} (${cached.toExponential(3)}) | 1× |`,
  ].join("\n");
}
