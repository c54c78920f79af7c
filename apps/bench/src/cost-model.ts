// The cost model: exact multiply-add counts of tinylm's forward pass, from the config alone, for
// generation with and without the KV cache. One multiply-add (MAC) is 2 FLOPs. Only the matrix products
// are counted; LayerNorm, softmax, the mask and the residual adds are O(T·d) or O(T·S) and left out.
//
// Per token and layer: q, k, v, o projections 4·d², MLP 2·d·F; per (query, key) pair and layer: 2·d
// (q·k over d, then probs·v over d); per token once: the lm_head V·d. tinylm computes the whole [T, S]
// score matrix and masks it afterwards ("dense"); a kernel that skipped masked pairs ("causal") would do
// only the visible pairs, Σ_{i≤T} i for T new tokens.
import type { ModelConfig } from "@tinylm/model";

export type Dimensions = Pick<ModelConfig, "vocabSize" | "dModel" | "nLayers" | "dFF">;

/** How many (query, key) pairs attention computes: all of [T, S] (tinylm), or only the unmasked ones. */
export type AttentionCount = "dense" | "causal";

/** Whether every step recomputes the whole sequence (`none`) or feeds one new token to a cache. */
export type CostKind = "none" | "cache";

/** MACs for one token, independent of position: what the weights cost. */
export function weightMacsPerToken(c: Dimensions): { projections: number; mlp: number; lmHead: number; total: number } {
  const d = c.dModel;
  const projections = c.nLayers * 4 * d * d;
  const mlp = c.nLayers * 2 * d * c.dFF;
  const lmHead = c.vocabSize * d;
  return { projections, mlp, lmHead, total: projections + mlp + lmHead };
}

/** MACs of attention per (query, key) pair, over all layers: 2·d·L. */
export const attentionMacsPerPair = (c: Dimensions): number => 2 * c.dModel * c.nLayers;

/** (query, key) pairs for T new tokens over S visible keys (the last T of which are the new tokens). */
export function attentionPairs(T: number, S: number, count: AttentionCount): number {
  return count === "dense" ? T * S : T * (S - T) + (T * (T + 1)) / 2;
}

/** MACs of one forward pass: T new tokens attending over S keys. forwardMacs(config, 1, 100) is a decode step. */
export function forwardMacs(c: Dimensions, T: number, S: number, count: AttentionCount = "dense"): number {
  return T * weightMacsPerToken(c).total + attentionMacsPerPair(c) * attentionPairs(T, S, count);
}

/**
 * MACs of a caching strategy's prefill of T tokens as generate() runs it (forward's logits "last"): every
 * row through the blocks but the last and through the last block's q, k, v; then the last row alone through
 * that block's attention (over all T keys), o and MLP, and the lm_head. prefillMacs(c, 1) = forwardMacs(c, 1, 1).
 */
export function prefillMacs(c: Dimensions, T: number, count: AttentionCount = "dense"): number {
  if (T <= 0) return 0;
  const d = c.dModel, L = c.nLayers;
  const row = 4 * d * d + 2 * d * c.dFF; // one row through one block's weights
  return (L - 1) * (T * row + 2 * d * attentionPairs(T, T, count)) + T * 3 * d * d + (row - 3 * d * d) + 2 * d * T + c.vocabSize * d;
}

/**
 * MACs of the step that generates token `index` (0-based) after a prompt of `promptTokens`. Step 0 runs the
 * prompt: a full forward for `none` (every position's logits, the exercise's loop), the last-row prefill for
 * `cache`; later steps feed all promptTokens + index tokens (`none`) or one (`cache`).
 */
export function stepMacs(c: Dimensions, kind: CostKind, promptTokens: number, index: number, count: AttentionCount = "dense"): number {
  const t = promptTokens + index; // sequence length fed to this step, keys included
  if (kind === "none") return forwardMacs(c, t, t, count);
  return index === 0 ? prefillMacs(c, t, count) : forwardMacs(c, 1, t, count);
}

/** Cumulative MACs: out[i] = total to generate i + 1 tokens. */
export function cumulativeMacs(c: Dimensions, kind: CostKind, promptTokens: number, maxTokens: number, count: AttentionCount = "dense"): number[] {
  const out: number[] = [];
  let total = 0;
  for (let i = 0; i < maxTokens; i++) {
    total += stepMacs(c, kind, promptTokens, i, count);
    out.push(total);
  }
  return out;
}

/** MACs to generate each n in `ns` (ascending or not). */
export function generationMacs(c: Dimensions, kind: CostKind, promptTokens: number, ns: readonly number[], count: AttentionCount = "dense"): number[] {
  const cumulative = cumulativeMacs(c, kind, promptTokens, Math.max(0, ...ns), count);
  return ns.map((n) => (n === 0 ? 0 : cumulative[n - 1]!));
}

/**
 * The position where a decode step's attention costs as much as its weights: W / (2·d·L). Below it the
 * matrix products with the weights dominate, above it attention does.
 */
export const attentionCrossover = (c: Dimensions): number => weightMacsPerToken(c).total / attentionMacsPerPair(c);

/**
 * The limits of (no-cache total) / (cache total) for large n, divided by n: 1/2 while the weights
 * dominate (Σt / Σ1), and Σt²/Σt = 2/3 (dense) or (Σt²/2)/Σt = 1/3 (causal) once attention does.
 */
export function speedupSlopes(count: AttentionCount): { weights: number; attention: number } {
  return { weights: 1 / 2, attention: count === "dense" ? 2 / 3 : 1 / 3 };
}

/** d ln f / d ln n at index i of a sampled curve (central difference; one-sided at the ends). */
export function localExponent(ns: readonly number[], fs: readonly number[], i: number): number {
  const a = Math.max(0, i - 1), b = Math.min(ns.length - 1, i + 1);
  return Math.log(fs[b]! / fs[a]!) / Math.log(ns[b]! / ns[a]!);
}
