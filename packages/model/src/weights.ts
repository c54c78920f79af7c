// The model's parameters. Field names mirror the safetensors keys by one rule (each dotted segment
// snake -> camel, numeric segments index `blocks`), so "blocks.0.attn.q.weight" is blocks[0].attn.q.weight.
import { Rng, zeros, type Tensor } from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";
import { WeightsError } from "./errors.js";

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
  if (node === undefined) throw new RangeError(`weights: no parameter "${name}"`);
  return node as Tensor;
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
  const { seed = 0, std = 0.02, perturb = 0 } = options;
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
