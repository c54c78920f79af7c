// A strategy written in another package, as a user would write one: against the KVCache interface that
// @tinylm/model exports (its published entry point and types, not its sources), with @tinylm/tensor for the
// rows, passed to generate() as an instance. It lives in the bench package for that reason.
import { describe, expect, it } from "vitest";
import { CAUSAL, concatRows, zeros, type Tensor } from "@tinylm/tensor";
import { generate, generateSync, makeConfig, TinyLM, type CacheBytes, type KVCache, type KVView } from "@tinylm/model";

/** HF's DynamicCache: grow every layer's keys and values by concatenation (simple, allocates per token). */
class ConcatCache implements KVCache {
  readonly kind = "concat";
  readonly capacity = Infinity;
  readonly span = CAUSAL;
  readonly keepsRows = true;
  resets = 0;
  private keys: Tensor[] = [];
  private values: Tensor[] = [];
  private count = 0;

  constructor(
    private readonly layers: number,
    readonly positionLimit: number,
  ) {}

  get length(): number {
    return this.count;
  }

  append(layer: number, k: Tensor, v: Tensor): KVView {
    const d = k.shape[1]!;
    this.keys[layer] = concatRows(this.keys[layer] ?? zeros([0, d]), k);
    this.values[layer] = concatRows(this.values[layer] ?? zeros([0, d]), v);
    const S = this.keys[layer]!.shape[0]!;
    return { keys: this.keys[layer]!, values: this.values[layer]!, positions: Array.from({ length: S }, (_, i) => i) };
  }

  advance(T: number): void {
    this.count += T;
  }

  bytes(): CacheBytes {
    const used = this.keys.reduce((s, k) => s + 2 * k.data.byteLength, 0);
    return { allocated: used, used };
  }

  reset(): void {
    this.resets++;
    this.keys = [];
    this.values = [];
    this.count = 0;
  }
}

describe("a user-written cache strategy", () => {
  const model = TinyLM.init(makeConfig({ contextLength: 48, nHeads: 2 }), { seed: 51, std: 0.3, perturb: 0.2 });

  it("runs through generate() as an instance and gives `full`'s tokens", async () => {
    const cache = new ConcatCache(3, 48);
    const got = await generate(model, "the cat sat", { cache, maxNewTokens: 30 });
    const want = generateSync(model, "the cat sat", { cache: "full", maxNewTokens: 30 });
    expect(got.ids).toEqual(want.ids);
    expect(got.cache).toBe("concat");
    expect(cache.resets).toBe(1); // generate() starts from an empty cache
    expect(cache.length).toBe(3 + 29); // the last token is produced, not fed back
    expect(got.cacheBytes.used).toBe(32 * 3 * 2 * 64 * 4);
  });

  it("has its positionLimit respected by the generation loop", () => {
    const r = generateSync(model, "the cat sat", { cache: new ConcatCache(3, 10), maxNewTokens: 30 });
    expect(r.ids).toHaveLength(7);
    expect(r.stopReason).toBe("context");
  });
});
