// THE model: a decoder-only transformer, pre-LayerNorm, GPT-2/nanoGPT style, inference only.
//   h = tok_emb[x] + pos(p);  per block: h += o(attn(ln1(h)));  h += fc2(relu(fc1(ln2(h))));
//   logits = lm_head(ln_f(h)).
// Attention is the hand-written composition scores = q·kᵀ/√dh, causal mask, softmax, times v (the
// `attention` op of @tinylm/tensor; the wasm backend fuses it into one kernel call per head). The
// residual adds are fused into the output projections (linear(..., h, { accumulate: true })).
import { assertShape, copyRows, embedding, sliceRows, zeros, type AttentionSpan, type Tensor } from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "./config.js";
import { ConfigError, ContextError } from "./errors.js";
import { NoCache } from "./kv-cache/no-cache.js";
import type { KVCache } from "./kv-cache/types.js";
import { placeWeights } from "./place-weights.js";
import { writeSinusoid } from "./positional.js";
import { initWeights, type InitOptions, type Linear, type Weights } from "./weights.js";
import { Storage, Workspace } from "./workspace.js";

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
  /**
   * "all" (the default): logits for every token, [T, V]. "last": only the last token's, [1, V], what
   * generation samples from; the last block then runs its attention output, MLP and head on the last row
   * alone (every row's keys and values are still computed and appended), which saves a third of a long
   * prefill. The row has the same bits as the last row of "all". With onAttention every row is computed.
   */
  readonly logits?: "all" | "last";
  /** Where the logits go ([T, V], or [1, V] for logits "last"; returned). Without it a new tensor is returned. */
  readonly out?: Tensor;
}

export class TinyLM {
  readonly config: ModelConfig;
  readonly weights: Weights;
  private readonly qkv: readonly Linear[]; // per block: q, k, v packed, [3d, d] and [3d]
  private decode: Workspace | undefined; // T = 1, kept for every decode step
  private last: Workspace | undefined; // the last other T, over `storage`
  private storage: Storage | undefined;
  private busy = false; // a forward pass is running (an observer may call forward again)

  constructor(config: ModelConfig, weights: Weights) {
    this.config = validateConfig(config);
    const placed = placeWeights(weights);
    this.weights = placed.weights;
    this.qkv = placed.qkv;
  }

  /** A model with deterministic seeded weights. TinyLM.init(makeConfig(), { seed: 42 }) */
  static init(config: ModelConfig, options: InitOptions = {}): TinyLM {
    return new TinyLM(config, initWeights(validateConfig(config), options));
  }

  /**
   * tokens (T ids) -> logits [T, V]. With a cache, the tokens continue the cached sequence at position
   * cache.length and their keys and values are appended to it (prefill: the whole prompt; decode: 1 token).
   * The logits are the caller's: a new tensor, or options.out (then nothing is allocated on a decode step).
   * A number for `options` is the start position: forward(ids, 5) is forward(ids, { start: 5 }).
   */
  forward(tokens: ArrayLike<number>, startOrOptions: ForwardOptions | number = {}): Tensor {
    const options: ForwardOptions = typeof startOrOptions === "number" ? { start: startOrOptions } : startOrOptions;
    const T = tokens.length;
    const V = this.config.vocabSize;
    const lastOnly = options.logits === "last";
    if (options.logits !== undefined && !lastOnly && options.logits !== "all") {
      throw new ConfigError("logits", options.logits, 'must be "all" (every token\'s logits) or "last" (the last token\'s)');
    }
    if (lastOnly && T === 0) throw new ConfigError("logits", options.logits, "needs at least one token; forward got none (ask for \"all\" to get [0, V])");
    const rowsOut = lastOnly ? 1 : T;
    const out = options.out;
    if (out && (out.shape.length !== 2 || out.shape[0] !== rowsOut || out.shape[1] !== V)) assertShape("forward", "out", out, [rowsOut, V]);
    const cache = options.cache ?? new NoCache(Infinity, options.start ?? 0);
    const span = options.span ?? cache.span;
    const start = cache.length;
    this.checkPositions(T, start);
    const reentrant = this.busy;
    this.busy = true;
    try {
      const ws = reentrant ? this.workspaceOf(T, new Storage(this.config, T)) : this.workspace(T);
      this.embed(tokens, start, ws);
      const observe = options.onAttention;
      const L = ws.layers.length;
      const lastRow = lastOnly && T > 1 && !observe ? ws.lastRow : null; // T = 1: the rows are the last row
      for (let layer = 0; layer < L; layer++) {
        const ops = ws.layers[layer]!;
        ops.ln1(); // x = ln1(h)
        ops.qkv(); // q, k, v = x · Wqkvᵀ + b
        const seen = cache.append(layer, ws.k, ws.v); // keys, values [S, d]: cached rows then this step's
        if (lastRow && layer === L - 1) { // only row T-1 is read from here on
          lastRow.attend(seen.keys, seen.values, seen.positions, start + T - 1, span);
          lastRow.o(); lastRow.ln2(); lastRow.fc1(); lastRow.fc2(); // [1, d]
          break;
        }
        ops.attend(seen.keys, seen.values, seen.positions, start, span, observe && headObserver(observe, layer, seen.positions));
        ops.o(); // h += o(y)
        ops.ln2(); // x = ln2(h)
        ops.fc1(); // hidden = relu(fc1(x))
        ops.fc2(); // h += fc2(hidden)
      }
      const logits = out ?? zeros([rowsOut, V]);
      if (lastRow) {
        lastRow.lnF();
        lastRow.lmHead(); // [1, V], in the workspace
        copyRows(lastRow.logits, logits, 0);
      } else {
        ws.lnF();
        ws.lmHead(); // [T, V], in the workspace
        copyRows(lastOnly ? sliceRows(ws.logits, T - 1, T) : ws.logits, logits, 0);
      }
      return logits;
    } finally {
      this.busy = reentrant;
    }
  }

  // ---- workspaces ----

  /** The reused workspace for T tokens: one kept for decode (T = 1), one for the last other T. */
  private workspace(T: number): Workspace {
    if (T === 1) return (this.decode ??= this.workspaceOf(1, new Storage(this.config, 1)));
    if (this.last?.T === T) return this.last;
    let storage = this.storage;
    if (!storage || storage.rows < T) storage = this.storage = new Storage(this.config, Math.max(T, 2 * (storage?.rows ?? 0))); // doubling: few reallocations as T grows
    return (this.last = this.workspaceOf(T, storage));
  }

  private workspaceOf(T: number, storage: Storage): Workspace {
    return new Workspace(this.config, this.weights, this.qkv, T, storage);
  }

  // ---- embeddings ----

  private checkPositions(T: number, start: number): void {
    const { contextLength: C, positional } = this.config;
    if (positional === "learned" && start + T > C) {
      throw new ContextError(
        `forward: ${T} tokens at position ${start} exceed context_length ${C}; learned positions have no embedding past position ${C - 1}. Use a shorter prompt, a larger --context-length, or sinusoidal positions with a window cache.`,
        start + T,
        C,
      );
    }
  }

  /** ids at absolute positions start.. -> ws.h [T, d] = tok_emb[ids] + pos(positions). */
  private embed(tokens: ArrayLike<number>, start: number, ws: Workspace): void {
    const T = tokens.length, d = this.config.dModel;
    const table = this.weights.tokEmb.weight; // [V, d]
    const rowsOk = table.shape[1] === d;
    for (let t = 0; t < T; t++) {
      const id = tokens[t]!;
      if (!rowsOk || !Number.isInteger(id) || id < 0 || id >= table.shape[0]!) embedding(table, tokens); // throws the IndexError/ShapeError
    }
    const posEmb = this.weights.posEmb?.weight; // [C, d]
    const pos = posEmb ?? ws.pe; // the sinusoids go to ws.pe, rows 0..T-1
    if (!posEmb) for (let t = 0; t < T; t++) writeSinusoid(start + t, ws.pe, t);
    const p0 = posEmb ? start : 0;
    const H = ws.h.data, E = table.data, P = pos.data;
    const hs0 = ws.h.stride[0]!, hs1 = ws.h.stride[1]!;
    for (let t = 0; t < T; t++) {
      const e = table.offset + tokens[t]! * table.stride[0]!, p = pos.offset + (p0 + t) * pos.stride[0]!, hr = ws.h.offset + t * hs0;
      const es = table.stride[1]!, ps = pos.stride[1]!;
      for (let j = 0; j < d; j++) H[hr + j * hs1] = E[e + j * es]! + P[p + j * ps]!; // float32 sum, as add(embedding, pos)
    }
  }
}

/** The per-head observer for one layer (a function of its own, so forward's locals are not captured). */
function headObserver(observe: AttentionObserver, layer: number, positions: ArrayLike<number>): (head: number, probs: Tensor) => void {
  return (head, probs) => observe(layer, head, probs, positions);
}
