// Where the model's weights live: every tensor in kernel memory (copied once, at construction), so the wasm
// kernels read them in place, and each block's q, k and v projections packed into one [3d, d] matrix and
// [3d] bias, so one linear computes all three (each output is the same dot product as in its own linear, so
// the results are bit for bit the same). The packed copy is made here, once: the model's weights are fixed
// at construction (model.weights keeps q, k and v as their own tensors, for saving and inspection).
import { backendInfo, contiguous, inKernelMemory, kernelZeros, toKernelMemory, type Tensor } from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";
import { AttentionParams, LinearParams, NormParams } from "./layers.js";
import type { Block, Linear, Norm, Weights } from "./weights.js";

/** One block's parameters as the forward pass uses them. */
export interface BlockParams {
  readonly ln1: NormParams;
  readonly qkv: LinearParams; // q, k, v stacked: weight [3d, d] (rows q 0..d-1, k d..2d-1, v 2d..3d-1), bias [3d]
  readonly attn: AttentionParams;
  readonly o: LinearParams; // [d, d]
  readonly ln2: NormParams;
  readonly fc1: LinearParams; // [F, d]
  readonly fc2: LinearParams; // [d, F]
}

/** The parameters of the forward pass, placed, and the weights they were made from (placed too). */
export interface ModelParams {
  readonly weights: Weights;
  /** The kernel-memory tensors made here (copies and packs): the model's to release. */
  readonly owned: readonly Tensor[];
  readonly tokEmb: Tensor; // [V, d]
  readonly posEmb: Tensor | undefined; // [C, d], learned positions only
  readonly blocks: readonly BlockParams[];
  readonly lnF: NormParams;
  readonly lmHead: LinearParams; // [V, d]
}

export function modelParams(config: ModelConfig, weights: Weights): ModelParams {
  const { weights: w, qkv, owned } = placeWeights(weights);
  const eps = config.normEps;
  const lin = (l: Linear): LinearParams => new LinearParams(l.weight, l.bias);
  const norm = (n: Norm): NormParams => new NormParams(n.weight, n.bias, eps);
  return {
    weights: w,
    owned,
    tokEmb: w.tokEmb.weight,
    posEmb: w.posEmb?.weight,
    blocks: w.blocks.map((b, i) => ({
      ln1: norm(b.ln1), qkv: lin(qkv[i]!), attn: new AttentionParams(config.nHeads), o: lin(b.attn.o),
      ln2: norm(b.ln2), fc1: lin(b.mlp.fc1), fc2: lin(b.mlp.fc2),
    })),
    lnF: norm(w.lnF),
    lmHead: lin(w.lmHead),
  };
}

/** Storage of the tensors placed for some model: another model given them copies them (each releases its own). */
const placed = new WeakSet<Float32Array>();

function placeWeights(w: Weights): { weights: Weights; qkv: readonly Linear[]; owned: Tensor[] } {
  const wasm = backendInfo().memoryBytes > 0;
  const owned: Tensor[] = [];
  const own = (t: Tensor): Tensor => (placed.add(t.data), owned.push(t), t);
  const place = (t: Tensor): Tensor => (!wasm || (inKernelMemory(t) && !placed.has(t.data)) ? t : own(toKernelMemory(t)));
  const pair = <P extends { readonly weight: Tensor; readonly bias: Tensor }>(p: P): P => ({ ...p, weight: place(p.weight), bias: place(p.bias) });
  const qkv: Linear[] = [];
  const blocks = w.blocks.map((b): Block => {
    const packed = pack([b.attn.q, b.attn.k, b.attn.v]);
    own(packed.weight);
    own(packed.bias);
    qkv.push(packed);
    return { ln1: pair(b.ln1), attn: { q: pair(b.attn.q), k: pair(b.attn.k), v: pair(b.attn.v), o: pair(b.attn.o) }, ln2: pair(b.ln2), mlp: { fc1: pair(b.mlp.fc1), fc2: pair(b.mlp.fc2) } };
  });
  const weights: Weights = {
    ...w,
    tokEmb: { weight: place(w.tokEmb.weight) },
    ...(w.posEmb ? { posEmb: { weight: place(w.posEmb.weight) } } : {}),
    blocks,
    lnF: pair(w.lnF),
    lmHead: pair(w.lmHead),
  };
  return { weights, qkv, owned };
}

/** Linears [out_i, in] + [out_i] stacked row-wise into one [Σ out_i, in] + [Σ out_i] (kernel memory when loaded). */
function pack(parts: readonly Linear[]): Linear {
  const n = parts[0]!.weight.shape[1]!;
  const rows = parts.reduce((s, p) => s + p.weight.shape[0]!, 0);
  const weight = kernelZeros([rows, n]); // [Σ out, in]
  const bias = kernelZeros([rows]); // [Σ out]
  let at = 0;
  for (const p of parts) {
    const m = p.weight.shape[0]!;
    weight.data.set(flat(p.weight), at * n);
    bias.data.set(flat(p.bias), at);
    at += m;
  }
  return { weight, bias };
}

/** t's elements in row-major order, as one run of floats (a subarray, no copy, when t is contiguous). */
function flat(t: Tensor): Float32Array {
  const c = contiguous(t);
  return c.data.subarray(c.offset, c.offset + c.size);
}
