// THE model: a decoder-only transformer, pre-LayerNorm, GPT-2/nanoGPT style, inference only.
//   h = tok_emb[x] + pos(p);  per block: h += o(attn(ln1(h)));  h += fc2(relu(fc1(ln2(h))));
//   logits = lm_head(ln_f(h)).
// forward() below is that, op by op, over preallocated buffers (activations.ts), each op naming its output
// first: layerNorm(x, h, blk.ln1) is x = ln1(h). The ops (layers.ts) run the wasm kernels or the TypeScript
// reference; reference.ts is the same model written as plain tensor expressions, the place to start reading.
import { releaseKernelMemory, sliceRows, zeros, type AttentionSpan, type Tensor } from "@tinylm/tensor";
import { Activations, releaseBuffers, Storage, type Rows } from "./activations.js";
import { checkCache, checkCount, unknownKey, checkFunction, checkIds, checkSpan, isTensor } from "./arguments.js";
import { validateConfig, type ModelConfig } from "./config.js";
import { ArgumentError, ConfigError, ContextError, StateError } from "./errors.js";
import { DecodeStep, fusedDecodeOn } from "./decode-step.js";
import { disposeIdleCaches } from "./kv-cache/idle-caches.js";
import { NoCache } from "./kv-cache/no-cache.js";
import type { KVCache } from "./kv-cache/types.js";
import { viewRows } from "./kv-cache/view.js";
import { ACCUMULATE, attend, embed, layerNorm, linear, RELU } from "./layers.js";
import { modelParams, type BlockParams, type ModelParams } from "./place-weights.js";
import { embeddablePositions } from "./positional.js";
import { checkWeights, initWeights, type InitOptions, type Weights } from "./weights.js";

/** Called per layer and head with the attention probabilities, for visualisation. */
export type AttentionObserver = (layer: number, head: number, probs: Tensor, keyPositions: ArrayLike<number>) => void;

export interface ForwardOptions {
  /** Where past keys and values live. Without one, the call attends over its own tokens only. */
  readonly cache?: KVCache;
  /** Absolute position of tokens[0] when no cache is given (with a cache it is cache.length). */
  readonly start?: number;
  /** Overrides the cache's mask, e.g. a banded span to recompute what a sliding window sees. */
  readonly span?: AttentionSpan;
  /**
   * Overrides the cache's embedPosition: the position the token at position p is embedded at (e.g. to
   * recompute what a window cache with positions "cache" computes).
   */
  readonly embedPosition?: (p: number) => number;
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
  private readonly params: ModelParams;
  private decode: Activations | undefined; // T = 1, kept for every decode step
  private step: DecodeStep | null | undefined; // the decode step as kernel programs over `stepFor`
  private stepFor: Activations | undefined;
  private last: Activations | undefined; // the last other T, over `storage`
  private storage: Storage | undefined;
  private busy = false; // a forward pass is running (an observer may call forward again)
  private released = false;

  /** A model of `config` with `weights`, which must match it (shapes, n_layers, finite values: a WeightsError). */
  constructor(config: ModelConfig, weights: Weights) {
    this.config = validateConfig(config);
    checkWeights("TinyLM", this.config, weights);
    this.params = modelParams(this.config, weights);
    this.weights = this.params.weights;
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.released;
  }

  /**
   * Gives the model's kernel memory back now (its placed weights, activation buffers and the caches generate()
   * kept for it) instead of when the garbage collector gets to it. Afterwards forward() and generate() throw
   * a StateError, and the tensors of model.weights must not be read. Calling it again does nothing.
   */
  dispose(): void {
    if (this.busy) throw new StateError("dispose", "the model is in a forward pass (an onAttention observer cannot dispose it)");
    if (this.released) return;
    this.released = true;
    disposeIdleCaches(this);
    for (const t of this.params.owned) releaseKernelMemory(t);
    if (this.decode) releaseBuffers(this.decode);
    this.step?.dispose();
    if (this.storage) releaseBuffers(this.storage);
    this.decode = this.last = this.storage = this.stepFor = undefined;
    this.step = undefined;
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
    const options = this.checkForward(tokens, startOrOptions);
    const T = tokens.length;
    const lastOnly = this.checkLogits(options, T);
    const cache = options.cache ?? new NoCache(Infinity, options.start ?? 0);
    const span = options.span ?? cache.span;
    const start = cache.length;
    const c: KVCache = cache, at = options.embedPosition ?? c.embedPosition, self = options.embedPosition ? undefined : c; // at.call(self, p)
    this.checkPositions(T, start, at, self);
    const reentrant = this.busy;
    const a = reentrant ? new Activations(this.config, T, new Storage(this.config, T)) : this.activations(T);
    this.busy = true;
    try {
      const observe = options.onAttention;
      // after attention's input, the last block need only finish the rows whose logits are asked for
      const r: Rows = lastOnly && !observe ? a.lastRow : a;
      const { blocks, lnF, lmHead } = this.params;
      const step = T === 1 && !observe && !reentrant ? this.decodeStep(a) : null;
      if (step) step.run(a, tokens, cache, start, span, at, self); // one token: the embedding, blocks and head below as kernel programs (decode-step.ts)
      else {
        embed(a.h, tokens, start, this.params.tokEmb, this.params.posEmb, a.pe, at, self); // h = tok_emb[tokens] + pos  [T, d]
        for (let l = 0; l < blocks.length; l++) {
          this.block(l, blocks[l]!, a, l === blocks.length - 1 ? r : a, cache, start, span, observe);
        }
        layerNorm(r.x, r.h, lnF); //                      x = ln_f(h)
        linear(r.logits, r.x, lmHead); //                 logits = x·Wᵀ + b              [T or 1, V]
      }
      cache.advance(T, tokens);
      const logits = options.out ?? zeros([lastOnly ? 1 : T, this.config.vocabSize]);
      a.copyLogits(lastOnly && r === a ? sliceRows(a.logits, T - 1, T) : r.logits, logits); // out of the reused buffer
      return logits;
    } finally {
      this.busy = reentrant;
      if (reentrant) releaseBuffers(a); // a call from an observer: its buffers were its own
    }
  }

  /**
   * Block l: h += o(attn(ln1(h))); h += fc2(relu(fc1(ln2(h)))). a holds the pass's T rows; o is the rows the
   * block finishes after attention's input: all of a, or (the last block, when only the last logits are
   * wanted) the last row alone. Every row's keys and values still go to the cache.
   */
  private block(l: number, blk: BlockParams, a: Activations, o: Rows, cache: KVCache, start: number, span: AttentionSpan, observe?: AttentionObserver): void {
    layerNorm(a.x, a.h, blk.ln1); //                 x = ln1(h)                       [T, d]
    linear(a.qkv, a.x, blk.qkv); //                  q | k | v = x·Wqkvᵀ + b           [T, 3d]
    const kv = cache.append(l, a.k, a.v); //         keys, values: cached rows + k, v    [S, d]
    attend(o.y, o.q, kv, start + o.first, span, blk.attn, observe && headObserver(observe, l, viewRows(kv).positions)); // y = softmax(q·kᵀ/√dh)·v, per head
    linear(o.h, o.y, blk.o, ACCUMULATE); //         h += y·Woᵀ + bo
    layerNorm(o.x, o.h, blk.ln2); //                 x = ln2(h)
    linear(o.hidden, o.x, blk.fc1, RELU); //        hidden = relu(x·W1ᵀ + b1)       [T, F]
    linear(o.h, o.hidden, blk.fc2, ACCUMULATE); //  h += hidden·W2ᵀ + b2
  }

  // ---- checks ----

  /** The options of a forward call, every argument checked (allocates nothing for an options object). */
  private checkForward(tokens: ArrayLike<number>, startOrOptions: ForwardOptions | number): ForwardOptions {
    if (this.released) throw new StateError("forward", DISPOSED);
    checkIds("forward", tokens, this.config.vocabSize);
    if (typeof startOrOptions === "number") {
      checkCount("forward", "start", startOrOptions);
      return { start: startOrOptions };
    }
    if (typeof startOrOptions !== "object" || startOrOptions === null || Array.isArray(startOrOptions)) {
      throw new ArgumentError("forward", "options", startOrOptions, "is neither an options object nor a start position", "{ cache, start, span, onAttention, logits, out } or an integer >= 0");
    }
    for (const key in startOrOptions) if (!FORWARD_KEYS.includes(key)) unknownOption(key, startOrOptions);
    const { cache, start, span, onAttention } = startOrOptions;
    if (cache !== undefined) checkCache("forward", cache, this.config);
    if (start !== undefined) {
      checkCount("forward", "start", start);
      if (cache !== undefined && start !== cache.length) {
        throw new ArgumentError("forward", "start", start, `disagrees with the cache, whose next position is ${cache.length}`, "no start with a cache (the tokens continue the cached sequence)");
      }
    }
    if (span !== undefined) checkSpan("forward", span);
    checkFunction("forward", "onAttention", onAttention);
    return startOrOptions;
  }

  /** True for logits "last"; throws for anything but "all"/"last", and for an `out` of the wrong shape. */
  private checkLogits(options: ForwardOptions, T: number): boolean {
    const V = this.config.vocabSize;
    const lastOnly = options.logits === "last";
    if (options.logits !== undefined && !lastOnly && options.logits !== "all") {
      throw new ConfigError("logits", options.logits, 'must be "all" (every token\'s logits) or "last" (the last token\'s)');
    }
    if (lastOnly && T === 0) throw new ConfigError("logits", options.logits, "needs at least one token; forward got none (ask for \"all\" to get [0, V])");
    const rowsOut = lastOnly ? 1 : T;
    const out = options.out;
    if (out !== undefined && !isTensor(out)) throw new ArgumentError("forward", "out", out, "is not a tensor", `a float32 tensor [${rowsOut}, ${V}] (zeros([${rowsOut}, ${V}]))`);
    if (out && (out.shape.length !== 2 || out.shape[0] !== rowsOut || out.shape[1] !== V)) {
      throw new ArgumentError("forward", "out", out.shape.slice(0, 8), "has the wrong shape", `[${rowsOut}, ${V}] (the logits of ${lastOnly ? "the last token" : `${T} tokens`})`);
    }
    return lastOnly;
  }

  private checkPositions(T: number, start: number, at?: (p: number) => number, self?: KVCache): void {
    const C = this.config.contextLength;
    const end = at && T > 0 ? at.call(self, start + T - 1) + 1 : start + T; // one past the last position embedded
    if (end > embeddablePositions(this.config)) {
      throw new ContextError(
        `forward: ${T} tokens at position ${start} exceed context_length ${C}; learned positions have no embedding past position ${C - 1}. Use a shorter prompt, a model with a larger contextLength, or sinusoidal positions with a window cache.`,
        start + T,
        C,
      );
    }
  }

  // ---- activations ----

  /** The decode step's kernel programs over the decode activations `a`, when they can run (else null). */
  private decodeStep(a: Activations): DecodeStep | null {
    if (!fusedDecodeOn()) return null;
    if (this.step === undefined || this.stepFor !== a) {
      this.step?.dispose();
      this.step = DecodeStep.create(this.params, a);
      this.stepFor = a;
    }
    return this.step;
  }

  /** The reused activations for T tokens: one kept for decode (T = 1), one for the last other T. */
  private activations(T: number): Activations {
    if (T === 1) return (this.decode ??= new Activations(this.config, 1, new Storage(this.config, 1)));
    if (this.last?.T === T) return this.last;
    let storage = this.storage;
    if (!storage || storage.rows < T) {
      if (storage) releaseBuffers(storage); // only this.last viewed it, and it is replaced below
      storage = this.storage = new Storage(this.config, Math.max(T, 2 * (storage?.rows ?? 0))); // doubling: few reallocations as T grows
    }
    return (this.last = new Activations(this.config, T, storage));
  }
}

const DISPOSED = "the model was disposed; load or create a new one";

const FORWARD_KEYS: readonly string[] = ["cache", "start", "span", "embedPosition", "onAttention", "logits", "out"];

/** Throws for an options key forward does not know (a typo would otherwise be ignored: `cahce` runs without the cache). */
function unknownOption(key: string, options: ForwardOptions): never {
  throw unknownKey("forward", "options", key, (options as Record<string, unknown>)[key], FORWARD_KEYS);
}

/** The per-head observer for one layer (a function of its own, so forward's locals are not captured). */
function headObserver(observe: AttentionObserver, layer: number, positions: ArrayLike<number>): (head: number, probs: Tensor) => void {
  return (head, probs) => observe(layer, head, probs, positions);
}
