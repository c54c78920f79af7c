// The model in its plainest form, and the place to start reading: nanoGPT's forward written with
// @tinylm/tensor's public ops, a new tensor for every intermediate, q, k and v as three linears, no cache.
//   h = tok_emb[x] + pos(p);  per block: h += o(attn(ln1(h)));  h += fc2(relu(fc1(ln2(h))));
//   logits = lm_head(ln_f(h)).
// TinyLM.forward (model.ts) computes the same thing over reused buffers, with a KV cache; its logits equal
// these bit for bit (activations.test.ts), because every op sums in the same order.
import { add, attention, embedding, layerNorm, linear, zeros, type Tensor } from "@tinylm/tensor";
import { checkCount, checkIds } from "./arguments.js";
import { validateConfig, type ModelConfig } from "./config.js";
import { ContextError } from "./errors.js";
import { embeddablePositions, writeSinusoid } from "./positional.js";
import { checkWeights, type Block, type Weights } from "./weights.js";

/**
 * tokens (T ids at positions start..start+T-1) -> logits [T, V], attending over these tokens only.
 * const logits = referenceForward(model.config, model.weights, encode("the cat sat")) // [3, 20]
 */
export function referenceForward(config: ModelConfig, weights: Weights, tokens: readonly number[], start = 0): Tensor {
  checkArguments(config, weights, tokens, start);
  const T = tokens.length, d = config.dModel;
  const positions = Array.from({ length: T }, (_, i) => start + i);
  let h = embedding(weights.tokEmb.weight, tokens); // [T, d]
  h = add(h, weights.posEmb ? weights.posEmb.weight.lo(start, 0).hi(T, d) : sinusoids(positions, d)); // [T, d]
  for (const block of weights.blocks) {
    h = add(h, selfAttention(config, block, layerNorm(h, block.ln1.weight, block.ln1.bias, config.normEps), positions)); // h + attn(ln1(h))
    h = add(h, mlp(block, layerNorm(h, block.ln2.weight, block.ln2.bias, config.normEps))); // h + mlp(ln2(h))
  }
  const x = layerNorm(h, weights.lnF.weight, weights.lnF.bias, config.normEps); // [T, d]
  return linear(x, weights.lmHead.weight, weights.lmHead.bias); // [T, d] -> [T, V]
}

/** Causal multi-head self-attention of x [T, d] at `positions` -> [T, d]. */
function selfAttention(config: ModelConfig, block: Block, x: Tensor, positions: number[]): Tensor {
  const { q, k, v, o } = block.attn;
  const T = x.shape[0]!, dh = config.dModel / config.nHeads;
  const queries = linear(x, q.weight, q.bias), keys = linear(x, k.weight, k.bias), values = linear(x, v.weight, v.bias); // [T, d] each
  const y = zeros([T, config.dModel]); // the heads, side by side
  for (let head = 0; head < config.nHeads; head++) {
    const cols = (t: Tensor): Tensor => t.lo(0, head * dh).hi(T, dh); // [T, d] -> [T, dh]
    attention(cols(queries), cols(keys), cols(values), { queryStart: positions[0] ?? 0, keyPositions: positions, out: cols(y) }); // softmax(q·kᵀ/√dh)·v
  }
  return linear(y, o.weight, o.bias); // [T, d]
}

/** The feed-forward network: x [T, d] -> relu(x·W1ᵀ + b1) [T, F] -> [T, d]. */
function mlp(block: Block, x: Tensor): Tensor {
  const { fc1, fc2 } = block.mlp;
  const hidden = linear(x, fc1.weight, fc1.bias, undefined, { relu: true }); // [T, F]
  return linear(hidden, fc2.weight, fc2.bias); // [T, d]
}

/** Sinusoidal position encodings of `positions` -> [T, d]. */
function sinusoids(positions: number[], d: number): Tensor {
  const pe = zeros([positions.length, d]);
  positions.forEach((p, row) => writeSinusoid(p, pe, row));
  return pe;
}

/** Every argument checked before any op runs (typed errors in the API's words). */
function checkArguments(config: ModelConfig, weights: Weights, tokens: readonly number[], start: number): void {
  validateConfig(config);
  checkWeights("referenceForward", config, weights);
  checkIds("referenceForward", tokens, config.vocabSize);
  checkCount("referenceForward", "start", start);
  const limit = embeddablePositions(config);
  if (start + tokens.length > limit) {
    throw new ContextError(`referenceForward: positions ${start}..${start + tokens.length - 1} pass ${limit - 1}, the last position with a learned embedding (context_length ${config.contextLength})`, start + tokens.length, limit);
  }
}
