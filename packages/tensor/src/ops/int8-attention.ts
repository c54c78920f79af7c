// Multi-head attention over int8 keys and values with their scales, x̂ = f32(q) · scale, the reference:
// the rows dequantized into float matrices, then `attention`. The wasm kernel (backend/kv-attention.ts)
// reads the int8 rows where they are (no float copy of the cache) and applies each scale to a whole dot
// product, the query or a weight rather than to every element: the same result up to float rounding.
//
// Keys have one scale per row (per token) or, KIVI's choice for keys, one scale per column for each group
// of G rows (per channel: outlier channels get their own range). A per-channel group's scales are known
// only once the group is full, so its rows may stay float until then: keys from `quantized` on are read
// from `residual`. Values have one scale per row.
import { ShapeError } from "../errors.js";
import { assert2d, assertShape, formatShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";
import { attention } from "./attention.js";
import { CAUSAL } from "./softmax.js";
import type { PagedAttentionOptions } from "./paged-attention.js";

/** Int8 key rows and their scales. */
export interface Int8Keys {
  /** [rows, d], row-major. */
  readonly data: Int8Array;
  /** group 0: [rows], one per row; group G: [ceil(rows / G), d], one per column for each G rows. */
  readonly scales: Float32Array;
  /** 0 for per-token scales; G > 0 (a multiple of 4) for per-channel scales over groups of G rows. */
  readonly group: number;
  /** Rows [0, quantized) are int8; row j >= quantized is residual row j - quantized. Default: every row. */
  readonly quantized?: number;
  /** [R, d] float key rows after the quantized ones. */
  readonly residual?: Tensor;
}

/** Int8 value rows [rows, d], row-major, with one scale per row. */
export interface Int8Values {
  readonly data: Int8Array;
  readonly scales: Float32Array;
}

export type Int8AttentionOptions = PagedAttentionOptions;

/**
 * q [T, d] over the first S keys and values -> [T, d].
 * const y = int8Attention(q, { data, scales, group: 0 }, { data: vq, scales: vs }, 40, { queryStart: 39 })
 */
export function int8Attention(q: Tensor, keys: Int8Keys, values: Int8Values, S: number, options: Int8AttentionOptions): Tensor {
  checkInt8Attention(q, keys, values, S, options);
  const [T, d] = q.shape as [number, number];
  const nHeads = options.nHeads ?? 1;
  const out = options.out ?? zeros([T, d]);
  const first = options.firstPosition ?? 0, span = options.span ?? CAUSAL;
  const k = dequantizeKeys(keys, S, d), v = dequantizeValues(values, S, d);
  const positions = Int32Array.from({ length: S }, (_, j) => first + j);
  const dh = d / nHeads;
  for (let head = 0; head < nHeads; head++) {
    const c = head * dh;
    attention(q.lo(0, c).hi(T, dh), k.lo(0, c).hi(S, dh), v.lo(0, c).hi(S, dh), {
      queryStart: options.queryStart, keyPositions: positions, span, out: out.lo(0, c).hi(T, dh),
    });
  }
  return out;
}

/** Throws the ShapeError for operands int8Attention cannot take. */
export function checkInt8Attention(q: Tensor, keys: Int8Keys, values: Int8Values, S: number, options: Int8AttentionOptions): void {
  assert2d("int8Attention", "q", q);
  const [T, d] = q.shape as [number, number];
  const nHeads = options.nHeads ?? 1;
  if (!Number.isInteger(nHeads) || nHeads < 1 || d % nHeads !== 0) {
    throw new ShapeError("int8Attention", "heads must split the columns evenly", `q ${formatShape(q.shape)} with ${nHeads} heads`, "d divisible by the number of heads");
  }
  checkOperands(keys, values, S, d, Math.min(keys.quantized ?? S, S));
  if (options.out) assertShape("int8Attention", "out", options.out, [T, d]);
}

function checkOperands(keys: Int8Keys, values: Int8Values, S: number, d: number, quantized: number): void {
  const fail = (problem: string, actual: string, expected: string): never => {
    throw new ShapeError("int8Attention", problem, actual, expected);
  };
  if (!Number.isInteger(S) || S < 0) fail("S must be a count of keys", `S = ${S}`, "an integer >= 0");
  const G = keys.group;
  if (!Number.isInteger(G) || G < 0 || G % 4 !== 0) fail("the key group must be 0 (per token) or a multiple of 4", `group ${G}`, "0, 4, 8, …");
  if (keys.data.length < quantized * d) fail("too few int8 key rows", `${keys.data.length} int8`, `>= ${quantized} rows of ${d}`);
  const scales = G === 0 ? quantized : Math.ceil(quantized / G) * d;
  if (keys.scales.length < scales) fail("too few key scales", `${keys.scales.length}`, `>= ${scales}`);
  if (quantized < S) {
    const r = keys.residual;
    if (!r || r.shape.length !== 2 || r.shape[1] !== d || r.shape[0]! < S - quantized) {
      fail("keys past `quantized` need float residual rows", r ? `residual ${formatShape(r.shape)}` : "no residual", `residual [>= ${S - quantized}, ${d}]`);
    }
  }
  if (values.data.length < S * d || values.scales.length < S) {
    fail("too few int8 value rows or scales", `${values.data.length} int8, ${values.scales.length} scales`, `>= ${S} rows of ${d} and ${S} scales`);
  }
}

/** The first S key rows as float32 [S, d]: f32(q) · scale for the quantized rows, the residual rows after. */
export function dequantizeKeys(keys: Int8Keys, S: number, d: number): Tensor {
  const out = zeros([S, d]), o = out.data, q = keys.data, sc = keys.scales, G = keys.group;
  const quantized = Math.min(keys.quantized ?? S, S);
  for (let j = 0; j < quantized; j++) {
    for (let c = 0; c < d; c++) o[j * d + c] = q[j * d + c]! * (G === 0 ? sc[j]! : sc[Math.floor(j / G) * d + c]!);
  }
  for (let j = quantized; j < S; j++) for (let c = 0; c < d; c++) o[j * d + c] = keys.residual!.get(j - quantized, c);
  return out;
}

/** The first S value rows as float32 [S, d]: f32(q) · the row's scale. */
export function dequantizeValues(values: Int8Values, S: number, d: number): Tensor {
  const out = zeros([S, d]), o = out.data, q = values.data, sc = values.scales;
  for (let j = 0; j < S; j++) for (let c = 0; c < d; c++) o[j * d + c] = q[j * d + c]! * sc[j]!;
  return out;
}
