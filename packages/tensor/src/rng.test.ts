import { describe, expect, it } from "vitest";
import { Rng } from "./index.js";

/**
 * An independent mulberry32 in BigInt arithmetic (no Math.imul, no >>> tricks), following the published
 * algorithm: t += 0x6D2B79F5; t = imul(t ^ t >>> 15, t | 1); t ^= t + imul(t ^ t >>> 7, t | 61); t ^ t >>> 14.
 */
function* mulberry32BigInt(seed: number): Generator<number> {
  const M = 0xffffffffn;
  let state = BigInt(seed) & M;
  for (;;) {
    state = (state + 0x6d2b79f5n) & M;
    let z = state;
    z = ((z ^ (z >> 15n)) * (z | 1n)) & M;
    z = (z ^ ((z + (((z ^ (z >> 7n)) * (z | 61n)) & M)) & M)) & M;
    yield Number(z ^ (z >> 14n));
  }
}

describe("Rng", () => {
  it("gives the committed golden uniforms for seed 42 (computed in Python from the published mulberry32)", () => {
    // python3: s = (s + 0x6d2b79f5) & M; z = imul(z ^ z >> 15, z | 1); ... -> 2581720956, 1925393290, 3661312704, 2876485805
    const rng = new Rng(42);
    expect([rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693,
    ]);
    const ints = new Rng(42);
    expect([ints.nextU32(), ints.nextU32(), ints.nextU32(), ints.nextU32()]).toEqual([2581720956, 1925393290, 3661312704, 2876485805]);
  });

  it("agrees with an independent BigInt mulberry32 for 1000 draws of several seeds (negative seeds wrap)", () => {
    for (const seed of [42, 0, 1, -1, 123456789, 0xffffffff, -2147483648]) {
      const rng = new Rng(seed);
      const ref = mulberry32BigInt(seed);
      for (let i = 0; i < 1000; i++) {
        const want = ref.next().value as number;
        expect(rng.nextU32()).toBe(want);
      }
      expect(new Rng(seed).uniform()).toBe((mulberry32BigInt(seed).next().value as number) / 2 ** 32);
    }
  });

  it("is deterministic: the same seed gives the same stream, another seed another stream", () => {
    const draw = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? rng.uniform() : rng.normal()));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it("draws uniforms in [0, 1) with mean 1/2 and variance 1/12 over 100k samples", () => {
    const rng = new Rng(2024);
    const n = 100_000;
    let sum = 0, sq = 0, lo = 1, hi = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      sum += u;
      sq += u * u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    const mean = sum / n, variance = sq / n - mean * mean;
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    // 5 standard errors: sd(mean) = sqrt(1/12 / n) ≈ 0.00091; sd(var) = sqrt(1/180 / n) ≈ 0.00024
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0046);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.0012);
  });

  it("draws normals with mean 0, variance 1 and 68.27% within one sd over 100k samples", () => {
    const rng = new Rng(42);
    const n = 100_000;
    let sum = 0, sq = 0, within = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sq += x * x;
      if (Math.abs(x) < 1) within++;
    }
    const mean = sum / n, variance = sq / n - mean * mean;
    // 5 standard errors: sd(mean) = 1/sqrt(n) ≈ 0.0032; sd(var) = sqrt(2/n) ≈ 0.0045; sd(frac) ≈ 0.0015
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(variance - 1)).toBeLessThan(0.023);
    expect(Math.abs(within / n - 0.6827)).toBeLessThan(0.0074);
  });

  it("makes normals by Box–Muller from two uniforms, the second of each pair kept for the next call", () => {
    // Python: r = sqrt(-2 log(1 - u1)); r cos(2π u2), r sin(2π u2) with the first two uniforms of seed 42
    const rng = new Rng(42);
    const [z0, z1] = [rng.normal(), rng.normal()];
    expect(Math.abs(z0 - -1.2848381576290195)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(z1 - 0.43278026787558976)).toBeLessThanOrEqual(1e-15);
    expect(rng.uniform()).toBe(0.8524657934904099); // the pair used exactly two uniforms
  });

  it("rejects a seed that is not an integer", () => {
    expect(() => new Rng(1.5)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow("Rng: seed must be an integer; got 1.5");
    expect(() => new Rng(Number.NaN)).toThrow("Rng: seed must be an integer; got NaN");
  });
});
