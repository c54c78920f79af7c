// Small statistics over repeated measurements: median and spread.
import type { Spread } from "./results.js";

/** Median of a non-empty list (mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median, min and max of a non-empty list. spread([3, 1, 2]) -> { median: 2, min: 1, max: 3 } */
export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Median and quartiles of a list of samples. */
export interface Quartiles {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
}

/** The sample at fraction q of the sorted list (nearest rank). quantile([4, 1, 3, 2], 0.25) -> 2 */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round(q * (s.length - 1))]!;
}

export const quartiles = (xs: readonly number[]): Quartiles => ({ median: median(xs), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75) });

/** True when `limit` lies between the quartiles: the repeats disagree about which side of it the value is on. */
export const straddles = (x: Quartiles, limit: number): boolean => x.p25 <= limit && limit <= x.p75;
