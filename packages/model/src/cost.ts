// What generation costs, with and without the KV cache, from the config alone: the one cost model that
// docs/kv-cache.md prints (a test checks the page against it) and the bench fits its times to.
//
// Only the matrix products are counted; LayerNorm, softmax, the mask and the residual adds are O(t·d) per
// step and left out. One multiply-add (MAC) is 2 FLOPs. Per token and layer the weights cost 4·d² (q, k,
// v, o) + 2·d·d_ff (the MLP); per token once the lm_head V·d; per (query, key) pair and layer 2·d (q·k
// over d, then the weighted sum of v over d). How many pairs a pass computes depends on the kernel:
// "causal" counts the visible pairs only (the wasm kernels, which never touch a later key), "dense" the
// whole [T, S] score matrix (the JS reference kernels compute it and mask it afterwards).
import type { ModelConfig } from "./config.js";

export type CostDimensions = Pick<ModelConfig, "vocabSize" | "dModel" | "nLayers" | "dFF">;

/** How many (query, key) pairs attention computes: only the visible ones, or all of [T, S]. */
export type AttentionCount = "causal" | "dense";

/** Whether every step recomputes the whole sequence (`none`) or feeds one new token to a cache. */
export type CostKind = "none" | "cache";

// ---- multiply-adds ----

/** MACs for one token, independent of position: what the weight matrices cost (one MAC per entry). */
export function weightMacsPerToken(c: CostDimensions): { projections: number; mlp: number; lmHead: number; total: number } {
  const d = c.dModel;
  const projections = c.nLayers * 4 * d * d;
  const mlp = c.nLayers * 2 * d * c.dFF;
  const lmHead = c.vocabSize * d;
  return { projections, mlp, lmHead, total: projections + mlp + lmHead };
}

/** MACs of attention per (query, key) pair, over all layers: 2·d·L. */
export const attentionMacsPerPair = (c: CostDimensions): number => 2 * c.dModel * c.nLayers;

/** (query, key) pairs for T new tokens over S keys (the last T of which are the new tokens). */
export function attentionPairs(T: number, S: number, count: AttentionCount = "causal"): number {
  return count === "dense" ? T * S : T * (S - T) + (T * (T + 1)) / 2;
}

/** MACs of one forward pass of T new tokens over S keys, every row's logits. forwardMacs(c, 1, t) is a cached step. */
export function forwardMacs(c: CostDimensions, T: number, S: number, count: AttentionCount = "causal"): number {
  return T * weightMacsPerToken(c).total + attentionMacsPerPair(c) * attentionPairs(T, S, count);
}

/**
 * MACs of a caching strategy's prefill of T tokens as generate() runs it (forward's logits "last"): every
 * row through the blocks but the last and through the last block's q, k, v (the cache needs every key and
 * value); then the last row alone through that block's attention (over all T keys), o and MLP, and the
 * lm_head. prefillMacs(c, 1) = forwardMacs(c, 1, 1).
 */
export function prefillMacs(c: CostDimensions, T: number, count: AttentionCount = "causal"): number {
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
export function stepMacs(c: CostDimensions, kind: CostKind, promptTokens: number, index: number, count: AttentionCount = "causal"): number {
  const t = promptTokens + index; // sequence length fed to this step, keys included
  if (kind === "none") return forwardMacs(c, t, t, count);
  return index === 0 ? prefillMacs(c, t, count) : forwardMacs(c, 1, t, count);
}

/** Cumulative MACs: out[i] = total to generate i + 1 tokens. */
export function cumulativeMacs(c: CostDimensions, kind: CostKind, promptTokens: number, maxTokens: number, count: AttentionCount = "causal"): number[] {
  const out: number[] = [];
  let total = 0;
  for (let i = 0; i < maxTokens; i++) {
    total += stepMacs(c, kind, promptTokens, i, count);
    out.push(total);
  }
  return out;
}

/** MACs to generate each n in `ns` (in any order). */
export function generationMacs(c: CostDimensions, kind: CostKind, promptTokens: number, ns: readonly number[], count: AttentionCount = "causal"): number[] {
  const cumulative = cumulativeMacs(c, kind, promptTokens, Math.max(0, ...ns), count);
  return ns.map((n) => (n === 0 ? 0 : cumulative[n - 1]!));
}

/**
 * W / (2·d·L), W the weight MACs per token: the sequence length where a cached step's attention costs as
 * much as its weights, and also where the cached keys and values (2·d·L floats per position) hold as many
 * floats as the weight matrices (W entries). 259.3 for the exercise's model.
 */
export const attentionCrossover = (c: CostDimensions): number => weightMacsPerToken(c).total / attentionMacsPerPair(c);

/** The limits of R(n)/n: 1/2 while the weights dominate, 1/3 (causal) or 2/3 (dense) once attention does. */
export function speedupSlopes(count: AttentionCount = "causal"): { weights: number; attention: number } {
  return { weights: 1 / 2, attention: count === "dense" ? 2 / 3 : 1 / 3 };
}

/**
 * The speedup of the cache in FLOPs over n tokens from a 1-token prompt (steps at t = 1..n), in closed form:
 * R(n) = ((n+1)/2)·(c + (n+2)/3) / (c + (n+1)/2), c = attentionCrossover. Equal to the ratio of generationFlops.
 */
export function speedupClosedForm(c: CostDimensions, n: number): number {
  const x = attentionCrossover(c);
  return (((n + 1) / 2) * (x + (n + 2) / 3)) / (x + (n + 1) / 2);
}

/** d ln f / d ln n at index i of a sampled curve (central difference; one-sided at the ends). */
export function localExponent(ns: readonly number[], fs: readonly number[], i: number): number {
  const a = Math.max(0, i - 1), b = Math.min(ns.length - 1, i + 1);
  return Math.log(fs[b]! / fs[a]!) / Math.log(ns[b]! / ns[a]!);
}

// ---- FLOPs (2 per multiply-add, visible pairs only), as docs/kv-cache.md states them ----

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
  const w = weightMacsPerToken(c);
  return {
    weightFlopsPerToken: 2 * (w.projections + w.mlp),
    headFlopsPerToken: 2 * w.lmHead,
    attentionFlopsPerKey: 2 * attentionMacsPerPair(c),
    cacheBytesPerToken: 2 * c.nLayers * c.dModel * 4,
  };
}

/** A decode step with the cache: one new token at sequence length t (it sees t keys, itself included). */
export const cachedStepFlops = (c: CostDimensions, t: number): number => 2 * forwardMacs(c, 1, t);

/** A step without the cache: all t tokens again (logits for every row, as a forward pass gives), t(t+1)/2 pairs. */
export const recomputeStepFlops = (c: CostDimensions, t: number): number => 2 * forwardMacs(c, t, t);

/** A caching strategy's prefill of p tokens as generate() runs it (see prefillMacs). */
export const prefillFlops = (c: CostDimensions, p: number): number => 2 * prefillMacs(c, p);

/**
 * Total FLOPs to generate n tokens after a prompt of p tokens. Step 0 runs the prompt in one pass and gives
 * the first new token: a recompute without the cache (every position's logits, the exercise's loop), the
 * last-row prefill with it; step i ≥ 1 feeds the sequence of length t = p + i.
 */
export function generationFlops(c: CostDimensions, promptTokens: number, n: number, cached: boolean): number {
  return 2 * generationMacs(c, cached ? "cache" : "none", promptTokens, [n])[0]!;
}

/** Bytes a strategy holds for `stored` positions: int8 keeps d bytes and a float32 scale per row. */
export function cacheBytesHeld(c: CostDimensions, kind: "full" | "paged" | "sliding-window" | "sinks" | "int8", stored: number): number {
  return kind === "int8" ? 2 * c.nLayers * (c.dModel + 4) * stored : costConstants(c).cacheBytesPerToken * stored;
}

/**
 * The walk-through of a step at sequence length t (docs/kv-cache.md: "the cat sat on" + "the", t = 5): what
 * a step costs with and without the cache, and per layer how many projection rows and score entries a
 * recompute does and how many of them it already did on the step before.
 */
export function stepWalkThrough(c: CostDimensions, t: number) {
  return {
    uncachedFlops: recomputeStepFlops(c, t),
    cachedFlops: cachedStepFlops(c, t),
    projectionRows: t,
    repeatedProjectionRows: t - 1,
    scoreEntries: (t * (t + 1)) / 2,
    repeatedScoreEntries: (t * (t - 1)) / 2,
  };
}
