// THE model: a decoder-only transformer, pre-LayerNorm, GPT-2/nanoGPT style, inference only.
//   h = tok_emb[x] + pos(p);  per block: h += o(attn(ln1(h)));  h += fc2(relu(fc1(ln2(h))));
//   logits = lm_head(ln_f(h)).
// Attention is the hand-written composition scores = q·kᵀ/√dh, causal mask, softmax, times v (the
// `attention` op of @tinylm/tensor; the wasm backend fuses it into one kernel call per head). The
// residual adds are fused into the output projections (linear(..., h, { accumulate: true })).
import {
  add, attention, backendInfo, embedding, inKernelMemory, layerNorm, linear, toKernelMemory, zeros,
  type AttentionSpan, type Tensor,
} from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "./config.js";
import { ContextError } from "./errors.js";
import { NoCache } from "./kv-cache/no-cache.js";
import type { KVCache } from "./kv-cache/types.js";
import { writeSinusoid } from "./positional.js";
import { initWeights, type Block, type InitOptions, type Weights } from "./weights.js";

/** Called per layer and head with the attention probabilities, for visualisation. */
export type AttentionObserver = (layer: number, head: number, probs: Tensor, keyPositions: ArrayLike<number>) => void;

export interface ForwardOptions {
  /** Where past keys and values live. Without one, the call attends over its own tokens only. */
  readonly cache?: KVCache;
  /** Absolute position of tokens[0] when no cache is given (with a cache it is cache.length). */
  readonly start?: number;
  /** Overrides the cache's mask, e.g. a banded span to recompute what a sliding window sees. */
  readonly span?: AttentionSpan;
  /** Receives each layer's attention probabilities [T, S] per head. */
  readonly onAttention?: AttentionObserver;
}

export class TinyLM {
  readonly config: ModelConfig;
  readonly weights: Weights;

  constructor(config: ModelConfig, weights: Weights) {
    this.config = validateConfig(config);
    this.weights = placeWeights(weights);
  }

  /** A model with deterministic seeded weights. TinyLM.init(makeConfig(), { seed: 42 }) */
  static init(config: ModelConfig, options: InitOptions = {}): TinyLM {
    return new TinyLM(config, initWeights(validateConfig(config), options));
  }

  /**
   * tokens (T ids) -> logits [T, V]. With a cache, the tokens continue the cached sequence at position
   * cache.length and their keys and values are appended to it (prefill: the whole prompt; decode: 1 token).
   */
  forward(tokens: ArrayLike<number>, options: ForwardOptions = {}): Tensor {
    const { config, weights } = this;
    const cache = options.cache ?? new NoCache(Infinity, options.start ?? 0);
    const span = options.span ?? cache.span;
    const start = cache.length;
    let h = this.embed(tokens, start); // [T, d]
    weights.blocks.forEach((block, layer) => {
      h = this.block(block, layer, h, cache, start, span, options.onAttention);
    });
    const x = layerNorm(h, weights.lnF.weight, weights.lnF.bias, config.normEps); // [T, d]
    return linear(x, weights.lmHead.weight, weights.lmHead.bias); // [T, d] -> [T, V]
  }

  // ---- embeddings ----

  /** ids at absolute positions start.. -> h [T, d] = tok_emb[ids] + pos(positions). */
  private embed(tokens: ArrayLike<number>, start: number): Tensor {
    const T = tokens.length;
    const { contextLength: C, positional } = this.config;
    if (positional === "learned" && start + T > C) {
      throw new ContextError(
        `forward: ${T} tokens at position ${start} exceed context_length ${C}; learned positions have no embedding past position ${C - 1}. Use a shorter prompt, a larger --context-length, or sinusoidal positions with a window cache.`,
        start + T,
        C,
      );
    }
    const h = embedding(this.weights.tokEmb.weight, tokens); // [T, d]
    if (this.weights.posEmb) {
      const pos = this.weights.posEmb.weight.lo(start, 0).hi(T, this.config.dModel); // [T, d] view
      return add(h, pos, h);
    }
    const pe = zeros(h.shape); // [T, d]
    for (let t = 0; t < T; t++) writeSinusoid(start + t, pe, t);
    return add(h, pe, h);
  }

  // ---- transformer block ----

  private block(block: Block, layer: number, h: Tensor, cache: KVCache, start: number, span: AttentionSpan, observe?: AttentionObserver): Tensor {
    const eps = this.config.normEps;
    const a = layerNorm(h, block.ln1.weight, block.ln1.bias, eps); // [T, d]
    this.attention(block, layer, a, h, cache, start, span, observe); // h += o(attn(ln1(h)))
    const m = layerNorm(h, block.ln2.weight, block.ln2.bias, eps); // [T, d]
    this.mlp(block, m, h); // h += fc2(relu(fc1(ln2(h))))
    return h;
  }

  /** h [T, d] += o(softmax(mask(q·kᵀ/√dh))·v) of x [T, d], heads split along d. */
  private attention(block: Block, layer: number, x: Tensor, h: Tensor, cache: KVCache, start: number, span: AttentionSpan, observe?: AttentionObserver): void {
    const { q: Wq, k: Wk, v: Wv, o: Wo } = block.attn;
    const T = x.shape[0]!;
    const { dModel: d, nHeads } = this.config;
    const dh = d / nHeads;
    const q = linear(x, Wq.weight, Wq.bias); // [T, d]
    const k = linear(x, Wk.weight, Wk.bias); // [T, d]
    const v = linear(x, Wv.weight, Wv.bias); // [T, d]
    const seen = cache.append(layer, k, v); // keys, values [S, d]: cached rows then this step's
    const S = seen.keys.shape[0]!;
    const y = zeros([T, d]); // heads concatenated
    for (let head = 0; head < nHeads; head++) {
      const cols = head * dh;
      attention(
        q.lo(0, cols).hi(T, dh), // [T, dh] view
        seen.keys.lo(0, cols).hi(S, dh), // [S, dh] view
        seen.values.lo(0, cols).hi(S, dh), // [S, dh] view
        {
          queryStart: start,
          keyPositions: seen.positions,
          span,
          out: y.lo(0, cols).hi(T, dh), // this head's columns of y
          observe: observe && ((probs) => observe(layer, head, probs, seen.positions)),
        },
      );
    }
    linear(y, Wo.weight, Wo.bias, h, { accumulate: true }); // h += y·Woᵀ + bo
  }

  /** h [T, d] += fc2(relu(fc1(x))) of x [T, d]. */
  private mlp(block: Block, x: Tensor, h: Tensor): void {
    const { fc1, fc2 } = block.mlp;
    const hidden = linear(x, fc1.weight, fc1.bias, undefined, { relu: true }); // [T, F]
    linear(hidden, fc2.weight, fc2.bias, h, { accumulate: true }); // [T, F] -> h [T, d]
  }
}

/**
 * The same weights with every tensor in kernel memory (copied once, here), so the wasm kernels read them
 * in place. Tensors already there are kept as they are; without the wasm module nothing is copied.
 */
function placeWeights(w: Weights): Weights {
  if (backendInfo().memoryBytes === 0) return w;
  const place = (t: Tensor): Tensor => (inKernelMemory(t) ? t : toKernelMemory(t));
  const pair = <P extends { readonly weight: Tensor; readonly bias: Tensor }>(p: P): P => ({ ...p, weight: place(p.weight), bias: place(p.bias) });
  return {
    ...w,
    tokEmb: { weight: place(w.tokEmb.weight) },
    ...(w.posEmb ? { posEmb: { weight: place(w.posEmb.weight) } } : {}),
    blocks: w.blocks.map((b) => ({
      ln1: pair(b.ln1),
      attn: { q: pair(b.attn.q), k: pair(b.attn.k), v: pair(b.attn.v), o: pair(b.attn.o) },
      ln2: pair(b.ln2),
      mlp: { fc1: pair(b.mlp.fc1), fc2: pair(b.mlp.fc2) },
    })),
    lnF: pair(w.lnF),
    lmHead: pair(w.lmHead),
  };
}
