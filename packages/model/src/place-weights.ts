// Where the model's weights live: every tensor in kernel memory (copied once, at construction), so the wasm
// kernels read them in place, and each block's q, k and v projections packed into one [3d, d] matrix and
// [3d] bias, so one linear computes all three (each output is the same dot product as in its own linear, so
// the results are bit for bit the same). The packed copy is made here, once: the model's weights are fixed
// at construction (model.weights keeps q, k and v as their own tensors, for saving and inspection).
import { backendInfo, copyRows, inKernelMemory, kernelZeros, toKernelMemory, type Tensor } from "@tinylm/tensor";
import type { Block, Linear, Weights } from "./weights.js";

export interface PlacedWeights {
  readonly weights: Weights;
  /** Per block: q, k, v stacked, weight [3d, d] (rows q 0..d-1, k d..2d-1, v 2d..3d-1), bias [3d]. */
  readonly qkv: readonly Linear[];
}

export function placeWeights(w: Weights): PlacedWeights {
  const wasm = backendInfo().memoryBytes > 0;
  const place = (t: Tensor): Tensor => (!wasm || inKernelMemory(t) ? t : toKernelMemory(t));
  const pair = <P extends { readonly weight: Tensor; readonly bias: Tensor }>(p: P): P => ({ ...p, weight: place(p.weight), bias: place(p.bias) });
  const qkv: Linear[] = [];
  const blocks = w.blocks.map((b): Block => {
    qkv.push(pack([b.attn.q, b.attn.k, b.attn.v]));
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
  return { weights, qkv };
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
    copyRows(p.weight, weight, at);
    for (let j = 0; j < m; j++) bias.data[at + j] = p.bias.get(j);
    at += m;
  }
  return { weight, bias };
}
