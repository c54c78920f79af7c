// An independent, deliberately naive model for tests: plain number arrays, one position at a time,
// attention as explicit loops over earlier positions. Shares nothing with model.ts but the Weights.
import type { Tensor } from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";
import { getParameter, type Weights } from "./weights.js";

const memo = new WeakMap<Tensor, unknown>();
const rows = (t: Tensor): number[][] => {
  if (!memo.has(t)) memo.set(t, Array.from({ length: t.shape[0]! }, (_, i) => Array.from({ length: t.shape[1]! }, (_, j) => t.get(i, j))));
  return memo.get(t) as number[][];
};
const vec = (t: Tensor): number[] => {
  if (!memo.has(t)) memo.set(t, Array.from({ length: t.shape[0]! }, (_, i) => t.get(i)));
  return memo.get(t) as number[];
};

function linear(x: number[], w: number[][], b: number[]): number[] {
  return w.map((row, o) => row.reduce((s, wi, i) => s + wi * x[i]!, 0) + b[o]!);
}

function layerNorm(x: number[], w: number[], b: number[], eps: number): number[] {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * w[i]! + b[i]!);
}

/** Visible-key rule of the model: causal, optionally banded with sinks. */
export type Visible = (query: number, key: number) => boolean;
export const causal: Visible = (q, k) => k <= q;

/** logits [T][V] for `ids` at absolute positions start.. (attending over these tokens only). */
export function naiveForward(config: ModelConfig, weights: Weights, ids: number[], start = 0, visible: Visible = causal): number[][] {
  const P = (name: string) => getParameter(weights, name);
  const d = config.dModel, dh = d / config.nHeads;
  let h = ids.map((id, t) => {
    const p = start + t;
    const pos = config.positional === "learned"
      ? rows(P("pos_emb.weight"))[p]!
      : Array.from({ length: d }, (_, j) => (j % 2 === 0 ? Math.sin : Math.cos)(p / Math.pow(10000, (2 * Math.floor(j / 2)) / d)));
    return rows(P("tok_emb.weight"))[id]!.map((e, j) => e + Math.fround(pos[j]!));
  });
  for (let l = 0; l < config.nLayers; l++) {
    const b = (n: string) => `blocks.${l}.${n}`;
    const lin = (n: string) => (x: number[]) => linear(x, rows(P(b(`${n}.weight`))), vec(P(b(`${n}.bias`))));
    const a = h.map((x) => layerNorm(x, vec(P(b("ln1.weight"))), vec(P(b("ln1.bias"))), config.normEps));
    const q = a.map(lin("attn.q")), k = a.map(lin("attn.k")), v = a.map(lin("attn.v"));
    const y = q.map((qi, i) => {
      const out = new Array<number>(d).fill(0);
      for (let head = 0; head < config.nHeads; head++) {
        const cols = Array.from({ length: dh }, (_, c) => head * dh + c);
        const keys = k.map((_, j) => j).filter((j) => visible(start + i, start + j));
        const scores = keys.map((j) => cols.reduce((s, c) => s + qi[c]! * k[j]![c]!, 0) / Math.sqrt(dh));
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((s, x) => s + x, 0);
        keys.forEach((j, n) => cols.forEach((c) => (out[c]! += (e[n]! / z) * v[j]![c]!)));
      }
      return out;
    });
    h = h.map((x, i) => x.map((xi, j) => xi + lin("attn.o")(y[i]!)[j]!));
    const m = h.map((x) => layerNorm(x, vec(P(b("ln2.weight"))), vec(P(b("ln2.bias"))), config.normEps));
    h = h.map((x, i) => {
      const hidden = lin("mlp.fc1")(m[i]!).map((z) => Math.max(0, z));
      const o = lin("mlp.fc2")(hidden);
      return x.map((xi, j) => xi + o[j]!);
    });
  }
  return h.map((x) => linear(layerNorm(x, vec(P("ln_f.weight")), vec(P("ln_f.bias")), config.normEps), rows(P("lm_head.weight")), vec(P("lm_head.bias"))));
}
