// A one-line chart of per-token latency: eight block glyphs from ▁ to █, scaled from 0 to a maximum so a
// flat cached run stays low next to an uncached run that climbs (the scale is shared across runs). The top
// of the scale is a high percentile, not the maximum, so one garbage-collection pause does not flatten the rest.

export const SPARK_GLYPHS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/** The glyph for `value` on the scale [0, max]: 0 -> "▁", max -> "█"; a non-positive max gives "▁". */
export function sparkGlyph(value: number, max: number): string {
  if (!(max > 0) || !(value > 0)) return SPARK_GLYPHS[0];
  const level = Math.round((Math.min(value, max) / max) * (SPARK_GLYPHS.length - 1));
  return SPARK_GLYPHS[level]!;
}

/**
 * A series squeezed into `width` points: consecutive buckets averaged, so a whole run fits and its shape
 * (a climb for `none`, flat for a cache) stays visible. Shorter series are returned as they are.
 * resample([1, 3, 5, 7], 2) -> [2, 6]
 */
export function resample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const start = Math.floor((b * values.length) / width);
    const end = Math.floor(((b + 1) * values.length) / width);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i]!;
    out.push(sum / (end - start));
  }
  return out;
}

/**
 * The whole series in at most `width` glyphs, scaled to max (default: the largest point).
 * sparkline([1, 2, 4, 8], { width: 4 }) === "▂▃▅█"
 */
export function sparkline(values: readonly number[], options: { readonly width: number; readonly max?: number }): string {
  const shown = options.width > 0 ? resample(values, options.width) : [];
  const max = options.max ?? Math.max(0, ...shown);
  return shown.map((v) => sparkGlyph(v, max)).join("");
}

/** Top of a latency scale: the 90th percentile (nearest rank) of `values`; 0 when empty. */
export function scaleTop(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.9 * sorted.length) - 1]!;
}
