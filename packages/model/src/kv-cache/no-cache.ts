// `none`: keeps nothing. Every call attends over its own k, v only, so the generation loop feeds the
// whole sequence each step and recomputes every key and value (the exercise's loop, the baseline).
import { CAUSAL, type AttentionSpan, type Tensor } from "@tinylm/tensor";
import { checkSpan } from "../arguments.js";
import { ArgumentError } from "../errors.js";
import { checkTruncate } from "./rollback.js";
import type { CacheBytes, KVCache, KVView } from "./types.js";

export class NoCache implements KVCache {
  readonly kind = "none";
  readonly capacity = 0;
  readonly keepsRows = false;
  private positions = new Int32Array(0);
  private released = false;

  /**
   * @param positionLimit longest sequence served (the model's context_length)
   * @param start absolute position of the first token of every call (0 in generation)
   * @param span the attention mask (a banded span gives the reference for the window strategies)
   */
  constructor(
    readonly positionLimit: number,
    private readonly start = 0,
    readonly span: AttentionSpan = CAUSAL,
  ) {
    if (typeof positionLimit !== "number" || !(positionLimit >= 0) || (positionLimit !== Infinity && !Number.isSafeInteger(positionLimit))) {
      throw new ArgumentError("NoCache", "positionLimit", positionLimit, "is not a sequence length", "an integer >= 0 or Infinity (the model's context_length)");
    }
    if (typeof start !== "number" || !Number.isSafeInteger(start) || start < 0) throw new ArgumentError("NoCache", "start", start, "is not a position", "an integer >= 0");
    checkSpan("NoCache", span);
  }

  get length(): number {
    return this.start;
  }

  append(_layer: number, k: Tensor, v: Tensor): KVView {
    const T = k.shape[0]!;
    if (this.positions.length < T) {
      this.positions = Int32Array.from({ length: T }, (_, i) => this.start + i);
    }
    return { keys: k, values: v, positions: this.positions };
  }

  advance(): void {}

  /** Nothing to roll back: it holds no rows (length is the start position of every call). */
  truncate(length: number): void {
    checkTruncate(this.kind, this.start, length, this.start);
  }

  bytes(): CacheBytes {
    return { allocated: 0, used: 0 };
  }

  reset(): void {}

  /** True after dispose(). */
  get disposed(): boolean {
    return this.released;
  }

  /** Gives the cache's kernel memory back now; the cache cannot be used afterwards (a StateError). */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    // nothing to give back: the rows are the model's own activations
  }
}
