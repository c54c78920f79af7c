// The model's parameters. Field names mirror the safetensors keys by one rule (each dotted segment
// snake -> camel, numeric segments index `blocks`), so "blocks.0.attn.q.weight" is blocks[0].attn.q.weight.
import { contiguous, formatShape, Rng, sameShape, zeros, type Tensor } from "@tinylm/tensor";
import { isTensor, optionsObject } from "./arguments.js";
import { validateConfig, type ModelConfig } from "./config.js";
import { clip, ConfigError, quote, WeightsError } from "./errors.js";

export interface Linear {
  readonly weight: Tensor; // [out, in], PyTorch Linear layout
  readonly bias: Tensor; // [out]
}
export interface Norm {
  readonly weight: Tensor; // [d]
  readonly bias: Tensor; // [d]
}
export interface Block {
  readonly ln1: Norm;
  readonly attn: { readonly q: Linear; readonly k: Linear; readonly v: Linear; readonly o: Linear }; // each [d, d]
  readonly ln2: Norm;
  readonly mlp: { readonly fc1: Linear; readonly fc2: Linear }; // fc1 [F, d], fc2 [d, F]
}
export interface Weights {
  readonly tokEmb: { readonly weight: Tensor }; // [V, d]
  readonly posEmb?: { readonly weight: Tensor }; // [C, d], learned positions only
  readonly blocks: readonly Block[];
  readonly lnF: Norm;
  readonly lmHead: Linear; // [V, d] + [V], untied from tokEmb
}

/** What a parameter is, for init and for the summary. */
export type ParamKind = "matrix" | "bias" | "norm-weight" | "norm-bias";

export interface ParamSpec {
  readonly name: string; // safetensors key
  readonly shape: readonly number[];
  readonly kind: ParamKind;
}

/** Every parameter of `config`, in canonical order (the order of the summary and of saved files). */
export function parameterSpecs(config: ModelConfig): ParamSpec[] {
  validateConfig(config);
  const { vocabSize: V, dModel: d, dFF: F, contextLength: C } = config;
  const specs: ParamSpec[] = [{ name: "tok_emb.weight", shape: [V, d], kind: "matrix" }];
  if (config.positional === "learned") specs.push({ name: "pos_emb.weight", shape: [C, d], kind: "matrix" });
  const linear = (name: string, out: number, inp: number): ParamSpec[] => [
    { name: `${name}.weight`, shape: [out, inp], kind: "matrix" },
    { name: `${name}.bias`, shape: [out], kind: "bias" },
  ];
  const norm = (name: string): ParamSpec[] => [
    { name: `${name}.weight`, shape: [d], kind: "norm-weight" },
    { name: `${name}.bias`, shape: [d], kind: "norm-bias" },
  ];
  for (let i = 0; i < config.nLayers; i++) {
    const b = `blocks.${i}`;
    specs.push(...norm(`${b}.ln1`));
    for (const p of ["q", "k", "v", "o"]) specs.push(...linear(`${b}.attn.${p}`, d, d));
    specs.push(...norm(`${b}.ln2`), ...linear(`${b}.mlp.fc1`, F, d), ...linear(`${b}.mlp.fc2`, d, F));
  }
  specs.push(...norm("ln_f"), ...linear("lm_head", V, d));
  return specs;
}

const camel = (segment: string): string => segment.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Builds the nested Weights object from flat safetensors-style entries (names already validated). */
export function weightsFromEntries(config: ModelConfig, entries: ReadonlyMap<string, Tensor>): Weights {
  const root: Record<string, unknown> = { blocks: Array.from({ length: config.nLayers }, () => ({})) };
  for (const [name, t] of entries) {
    const path = name.split(".").map(camel);
    let node = root as Record<string, unknown>;
    for (const seg of path.slice(0, -1)) {
      node[seg] ??= {};
      node = node[seg] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = t;
  }
  return root as unknown as Weights;
}

/** The tensor stored under safetensors key `name`. */
export function getParameter(weights: Weights, name: string): Tensor {
  let node: unknown = weights;
  for (const seg of name.split(".").map(camel)) node = (node as Record<string, unknown> | undefined)?.[seg];
  if (node === undefined) throw new WeightsError(`weights: no parameter ${quote(name)}`, clip(name));
  return node as Tensor;
}

/**
 * Weights whose every value was checked finite by the parser of a file nobody else holds (parseOwnSafetensors),
 * for the model built from them next: checkWeights does not loop over their ~10⁵ floats a second time.
 */
export const checkedFinite = new WeakSet<Weights>();

/**
 * Checks `weights` against `config` before a model is built from them: every parameter present, a float32
 * tensor of the shape the config gives, finite; no block more than n_layers. Throws a WeightsError naming
 * the tensor (two-layer weights under a three-layer config, or a 16-row pos_emb under context_length 32,
 * would otherwise run and give wrong logits or NaN).
 */
export function checkWeights(op: string, config: ModelConfig, weights: Weights): void {
  if (typeof weights !== "object" || weights === null) throw new WeightsError(`${op}: weights must be a Weights object (from initWeights, parseSafetensors or model.weights); got ${quote(weights)}`);
  const blocks = (weights as { blocks?: unknown }).blocks;
  if (!Array.isArray(blocks) || blocks.length !== config.nLayers) {
    throw new WeightsError(`${op}: the weights have ${Array.isArray(blocks) ? blocks.length : "no"} blocks, the config n_layers=${config.nLayers}; use the config the weights were made with`, "blocks");
  }
  if (config.positional === "sinusoidal" && weights.posEmb !== undefined) {
    throw new WeightsError(`${op}: the weights have a learned pos_emb but the config has sinusoidal positions; use positional "learned"`, "pos_emb.weight");
  }
  const finite = checkedFinite.delete(weights); // once: a later use of the same weights checks them again
  for (const spec of parameterSpecs(config)) {
    let t: unknown;
    try {
      t = getParameter(weights, spec.name);
    } catch {
      t = undefined; // a path through something that is not an object
    }
    if (!isTensor(t)) throw new WeightsError(`${op}: "${spec.name}" is ${t === undefined ? "missing" : `not a float32 tensor (${quote(t)})`}; expected a tensor of shape ${formatShape(spec.shape)}`, spec.name);
    if (!sameShape(t.shape, spec.shape)) {
      throw new WeightsError(`${op}: "${spec.name}" has shape ${formatShape(t.shape.slice(0, 8))}, expected ${formatShape(spec.shape)} from config d_model=${config.dModel}, d_ff=${config.dFF}, context_length=${config.contextLength}; use the config the weights were made with`, spec.name);
    }
    if (finite) continue;
    const c = contiguous(t);
    assertFinite(op, spec.name, spec.shape, c.data.subarray(c.offset, c.offset + c.size), "They are corrupt, or from a model that diverged.");
  }
}

/** Index of the first NaN or ±Infinity in `data`, or -1 when every value is finite. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x - x !== 0) return i; // NaN for NaN and ±Infinity, 0 for every finite x
  }
  return -1;
}

/** Throws a WeightsError naming tensor `name` and its first non-finite value; `context` begins the message. */
export function assertFinite(context: string, name: string, shape: readonly number[], data: ArrayLike<number>, fix: string): void {
  const i = firstNonFinite(data);
  if (i < 0) return;
  const at = shape.length === 2 ? `[${Math.floor(i / shape[1]!)}, ${i % shape[1]!}]` : `[${i}]`;
  throw new WeightsError(`${context}: "${name}" holds ${data[i]} at index ${at} (flat ${i}); weights must be finite. ${fix}`, name);
}

export interface InitOptions {
  /** PRNG seed: the same seed gives bit-identical weights on every machine. */
  readonly seed?: number;
  /** Std of the normal init of matrices and embeddings: 0.02 as in GPT-2/nanoGPT. */
  readonly std?: number;
  /** Std of noise added to biases (else 0) and LayerNorm weights (else 1) and biases (else 0). 0 = nanoGPT's init. */
  readonly perturb?: number;
}

/** FNV-1a of the name, mixed with the seed: each tensor gets its own stream, independent of the others. */
function tensorSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Deterministic init: matrices N(0, std²); biases 0, LayerNorm weight 1 and bias 0, each plus N(0, perturb²).
 * Every tensor draws from its own mulberry32 stream seeded by (seed, name), so e.g. tok_emb does not change
 * when context_length changes the size of pos_emb.
 */
export function initWeights(config: ModelConfig, options: InitOptions = {}): Weights {
  validateConfig(config);
  const { seed = 0, std = 0.02, perturb = 0 } = optionsObject("init", "options", options, ["seed", "std", "perturb"]);
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ConfigError("seed", seed, "must be an integer in [0, 4294967295]");
  if (typeof std !== "number" || !(std >= 0) || !Number.isFinite(std)) throw new ConfigError("std", std, "must be a finite number >= 0 (the spread of the matrices' normal init)");
  if (typeof perturb !== "number" || !(perturb >= 0) || !Number.isFinite(perturb)) throw new ConfigError("perturb", perturb, "must be a finite number >= 0");
  const entries = new Map<string, Tensor>();
  for (const spec of parameterSpecs(config)) {
    const rng = new Rng(tensorSeed(seed, spec.name));
    const t = zeros(spec.shape);
    const base = spec.kind === "norm-weight" ? 1 : 0;
    const spread = spec.kind === "matrix" ? std : perturb;
    for (let i = 0; i < t.data.length; i++) t.data[i] = spread === 0 ? base : base + spread * rng.normal();
    assertFinite("init", spec.name, spec.shape, t.data, `float32 stops at 3.4e38: lower std (${std}) or perturb (${perturb}).`);
    entries.set(spec.name, t);
  }
  return weightsFromEntries(config, entries);
}
