// `int8`: `full`'s layout (context_length rows per layer, allocated once) with keys and values stored as
// int8 and float32 scales: the symmetric absmax scheme of quantize.ts, x̂ = q · scale with scale = max|x| /
// 127, so |x - x̂| <= scale / 2 per element. Values get one scale per row (per position). Keys get one per
// row too ("token"), or, with keyScales "channel" (KIVI), one per column for each group of KEY_GROUP
// positions: a channel with large keys no longer sets the step of every other channel. A group's scales
// are known once it is full, so the newest keys (up to KEY_GROUP - 1) wait in float32 until then.
// Attention reads the int8 rows in place and applies the scales inside the kernel (int8Attention): no
// float copy of the cache exists. A decode step may skip append and quantize its token into the rows
// itself, in wasm, to the same bits (decodeInt8: the step runs as one kernel program).
//
// Memory per layer: 2·C·d int8 + C value scales + C key scales ("token") or C/32·d key scales and a
// [32, d] float group ("channel"). Against `full`'s 2·C·d·4 bytes: (2d + 8)/(8d), 27% at d = 64.
import { allocFloat32, allocInt8, CAUSAL, kernelZeros, releaseKernelMemory, type Int8Keys, type Int8Values, type Tensor } from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "../config.js";
import { checkCapacity } from "./capacity.js";
import { checkTruncate } from "./rollback.js";
import { KEY_GROUP, validateCacheOptions, type CacheOptions, type KeyScales } from "./options.js";
import { quantizeColumns, quantizeRow } from "./quantize.js";
import type { CacheBytes, KVCache, KVQuantized } from "./types.js";

interface Layer {
  readonly keys: { data: Int8Array; scales: Float32Array; group: number; quantized: number; residual?: Tensor };
  readonly values: Int8Values;
  readonly view: { layout: "int8"; keys: Int8Keys; values: Int8Values; length: number; width: number };
}

/** Keys quantized among the first n positions: all with per-token scales (G = 0), the full groups of G with per-channel. */
const quantizedOf = (n: number, G: number): number => (G === 0 ? n : n - (n % G));

export class Int8Cache implements KVCache {
  readonly kind = "int8";
  readonly span = CAUSAL;
  readonly keepsRows = true;
  readonly capacity: number;
  readonly keyScales: KeyScales;
  private readonly layers: Layer[];
  private filled = 0;
  private released = false;

  constructor(
    readonly config: ModelConfig,
    options: CacheOptions = {},
  ) {
    validateConfig(config);
    validateCacheOptions(options);
    const { contextLength: C, dModel: d, nLayers } = config;
    this.capacity = C;
    this.keyScales = options.keyScales ?? "token";
    const G = this.keyScales === "channel" ? KEY_GROUP : 0;
    this.layers = Array.from({ length: nLayers }, () => {
      const keys = G === 0
        ? { data: allocInt8(C * d), scales: allocFloat32(C), group: 0, quantized: 0 }
        : { data: allocInt8(C * d), scales: allocFloat32(Math.ceil(C / G) * d), group: G, quantized: 0, residual: kernelZeros([G, d]) };
      const values = { data: allocInt8(C * d), scales: allocFloat32(C) };
      return { keys, values, view: { layout: "int8", keys, values, length: 0, width: d } };
    });
  }

  get length(): number {
    return this.filled;
  }

  get positionLimit(): number {
    return this.capacity;
  }

  append(layer: number, k: Tensor, v: Tensor): KVQuantized {
    const T = k.shape[0]!;
    const end = checkCapacity(this.kind, this.filled, T, this.capacity);
    const d = this.config.dModel;
    const { keys, values, view } = this.layers[layer]!;
    const G = keys.group;
    for (let i = 0; i < T; i++) {
      const p = this.filled + i;
      values.scales[p] = quantizeRow(v, i, values.data, p * d);
      if (G === 0) keys.scales[p] = quantizeRow(k, i, keys.data, p * d);
      else {
        const R = keys.residual!.data, r = p % G; // the group's float rows until it is full
        const K = k.data, at = k.offset + i * k.stride[0]!, s1 = k.stride[1]!;
        for (let c = 0; c < d; c++) R[r * d + c] = K[at + c * s1]!;
        if (r === G - 1) quantizeColumns(R, G, d, keys.data, (p - r) * d, keys.scales, ((p - r) / G) * d);
      }
    }
    keys.quantized = quantizedOf(end, G);
    view.length = end;
    return view;
  }

  /**
   * Layer `layer`'s int8 keys (and their float residual) and values, capacity positions: a decode step may
   * quantize position `length` into them itself (as append would) and attend over them in place.
   */
  decodeInt8(layer: number): { keys: Int8Keys; values: Int8Values } {
    return this.layers[layer]!;
  }

  /** Ends a pass: length += T, and the keys' quantized count for it (a decode step that skipped append). */
  advance(T: number): void {
    this.filled += T;
    for (const l of this.layers) l.keys.quantized = quantizedOf(this.filled, l.keys.group);
  }

  /**
   * Exact: each value row and (per-token) key row is quantized on its own, so the rows kept are those a
   * shorter run would have written. Per-channel keys: a full group's scales depend on all its rows, so the
   * length may not cut into one (at least the start of the group still in float).
   */
  truncate(length: number): void {
    const G = this.layers[0]?.keys.group ?? 0;
    checkTruncate(this.kind, this.filled, length, G === 0 ? 0 : Math.floor(this.filled / G) * G);
    this.filled = length;
    for (const l of this.layers) l.keys.quantized = quantizedOf(length, G);
  }

  bytes(): CacheBytes {
    const { nLayers: L, dModel: d } = this.config;
    const C = this.capacity, G = this.layers[0]?.keys.group ?? 0, n = this.filled;
    // int8 keys and values, value scales, then the key scales (and the float group for "channel")
    const keyScales = (rows: number): number => (G === 0 ? rows * 4 : Math.ceil(rows / G) * d * 4 + G * d * 4);
    return { allocated: L * (2 * C * d + C * 4 + keyScales(C)), used: L * (2 * n * d + n * 4 + (n === 0 ? 0 : keyScales(n))) };
  }

  reset(): void {
    this.filled = 0;
    for (const l of this.layers) {
      l.keys.quantized = 0;
      l.view.length = 0;
    }
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.released;
  }

  /** Gives the cache's kernel memory back now; the cache cannot be used afterwards (a StateError). */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    for (const { keys, values } of this.layers) {
      for (const x of [keys.data, keys.scales, values.data, values.scales]) releaseKernelMemory(x);
      if (keys.residual) releaseKernelMemory(keys.residual);
    }
  }
}
