// Number formatting shared by the report, its prose and the terminal: durations, ratios, bytes.

/** 3 significant digits, no exponent: 0.00123 -> "0.00123", 61.24 -> "61.2", 612.4 -> "612", 12345 -> "12,345". */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US");
  return Number(x.toPrecision(3)).toString();
}

/** A duration in milliseconds, in ms below a second and in s above: "0.412 ms", "12.3 ms", "1.23 s", "352 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${sig3(ms)} ms` : `${sig3(ms / 1000)} s`;
}

/** A speedup or ratio: "612×", "4.56×". */
export const formatRatio = (x: number): string => `${sig3(x)}×`;

/** An integer with thousands separators: 99584 -> "99,584". */
export const formatInt = (x: number): string => Math.round(x).toLocaleString("en-US");

/** A count of multiply-adds: "99,584", "1.23 M", "179 G". */
export function formatCount(x: number): string {
  if (x < 1e6) return formatInt(x);
  if (x < 1e9) return `${sig3(x / 1e6)} M`;
  return `${sig3(x / 1e9)} G`;
}

/** Bytes in KiB or MiB: "0 B", "768 KiB", "1.5 MiB". */
export function formatBytes(b: number): string {
  if (b === 0) return "0 B";
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${sig3(b / 1024)} KiB`;
  return `${sig3(b / 1024 / 1024)} MiB`;
}

/** A wall-clock span for the progress line: "42s", "3m05s", "1h02m". */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
