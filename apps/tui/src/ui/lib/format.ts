// Number formatting for the status bar, transcript and summary: bytes, milliseconds, rates, counts.

const GROUPED = new Intl.NumberFormat("en-US");

/** 105172 -> "105,172". */
export function formatCount(n: number): string {
  return GROUPED.format(n);
}

/** Bytes in binary units with 3 significant digits: 0 -> "0 B", 49152 -> "48.0 KiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toPrecision(3)} ${units[unit]}`;
}

/** Milliseconds with enough digits to compare a cached step with an uncached one: 0.0421 -> "0.042 ms". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** Tokens per second, grouped, no decimals past 10: 2466.9 -> "2,467". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "–";
  if (perSecond < 10) return perSecond.toFixed(1);
  return formatCount(Math.round(perSecond));
}

/** A limit that may be unbounded: Infinity -> "∞". */
export function formatLimit(n: number): string {
  return Number.isFinite(n) ? formatCount(n) : "∞";
}
