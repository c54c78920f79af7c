// `int8`: `full`'s layout (context_length rows per layer, allocated once) with keys and values stored as
// int8, one float32 scale per row (per position, per layer, keys and values apart): the symmetric absmax
// scheme of quantize.ts, scale = max|x| / 127, error <= scale / 2 per element. Rows are dequantized when
// read: each append expands the layer's rows into a float32 scratch shared by all layers (S·d·2 multiplies
// per layer and step, so decode costs ~5x `full`'s at 4,000 positions here: int8 trades time for memory).
//
// Memory: allocated = int8 rows (2·L·C·d bytes) + scales (2·L·C·4) + the float32 scratch (2·C·d·4, one
// layer's worth: a fused int8 attention kernel would not need it); used = the int8 rows and scales held.
// Against `full` (2·L·C·d·4) that is (d + 4)/(4d) of the storage, ~27% at d = 64, or ~60% counting the
// scratch (L = 3). The logit error against `full` is bounded and measured in int8-cache.test.ts.
import { CAUSAL, kernelZeros, releaseKernelMemory, type Tensor } from "@tinylm/tensor";
import { validateConfig, type ModelConfig } from "../config.js";
import { checkCapacity } from "./capacity.js";
import { checkTruncate } from "./rollback.js";
import { dequantizeRows, quantizeRow } from "./quantize.js";
import { Scratch } from "./scratch.js";
import type { CacheBytes, KVCache, KVView } from "./types.js";

interface QuantizedRows {
  readonly q: Int8Array; // [C, d]
  readonly scales: Float32Array; // [C]
}

const rowsOf = (C: number, d: number): QuantizedRows => ({ q: new Int8Array(C * d), scales: new Float32Array(C) });

export class Int8Cache implements KVCache {
  readonly kind = "int8";
  readonly span = CAUSAL;
  readonly keepsRows = true;
  readonly capacity: number;
  private readonly keys: QuantizedRows[]; // per layer
  private readonly values: QuantizedRows[]; // per layer
  private readonly dequantized: Scratch; // [C, d] keys and values of the layer being read
  private filled = 0;
  private released = false;

  constructor(readonly config: ModelConfig) {
    validateConfig(config);
    const { contextLength: C, dModel: d, nLayers } = config;
    this.capacity = C;
    this.keys = Array.from({ length: nLayers }, () => rowsOf(C, d));
    this.values = Array.from({ length: nLayers }, () => rowsOf(C, d));
    this.dequantized = new Scratch(d, C, kernelZeros);
    this.dequantized.positions.forEach((_, i, a) => (a[i] = i));
  }

  get length(): number {
    return this.filled;
  }

  get positionLimit(): number {
    return this.capacity;
  }

  append(layer: number, k: Tensor, v: Tensor): KVView {
    const T = k.shape[0]!;
    const end = checkCapacity(this.kind, this.filled, T, this.capacity);
    const d = this.config.dModel;
    const K = this.keys[layer]!, V = this.values[layer]!;
    for (let i = 0; i < T; i++) {
      const p = this.filled + i;
      K.scales[p] = quantizeRow(k, i, K.q, p * d);
      V.scales[p] = quantizeRow(v, i, V.q, p * d);
    }
    dequantizeRows(K.q, K.scales, end, d, this.dequantized.keys.data);
    dequantizeRows(V.q, V.scales, end, d, this.dequantized.values.data);
    return this.dequantized.view(end);
  }

  advance(T: number): void {
    this.filled += T;
  }

  /** Exact: each row is quantized on its own, so the rows kept are those a shorter run would have written. */
  truncate(length: number): void {
    checkTruncate(this.kind, this.filled, length);
    this.filled = length;
  }

  bytes(): CacheBytes {
    const perPosition = 2 * this.config.nLayers * (this.config.dModel + 4); // int8 row + float32 scale, keys and values
    return { allocated: perPosition * this.capacity + this.dequantized.bytes, used: perPosition * this.filled };
  }

  reset(): void {
    this.filled = 0;
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return this.released;
  }

  /** Gives the cache's kernel memory back now; the cache cannot be used afterwards (a StateError). */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    releaseKernelMemory(this.dequantized.keys);
    releaseKernelMemory(this.dequantized.values);
  }
}
