// The strategies `tinylm eval` compares: their names (specs like "sinks:64:4"), the defaults, and the
// checks that make a setting that cannot work a one-line ConfigError naming the valid range.
import type { ModelConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { CACHE_KINDS, KEY_SCALES, POSITION_SCHEMES, type CacheKind, type CacheOptions, type KeyScales, type PositionScheme } from "../kv-cache/index.js";

/** One strategy and its setting, as `tinylm eval` runs it. */
export interface EvalStrategy {
  /**
   * The spec it was named by: "none", "full", "paged", "paged:16", "int8", "int8:channel", "sliding-window:64",
   * "sinks:64:4", and the window strategies with positions in the cache: "sliding-window:64:cache", "sinks:64:4:cache".
   */
  readonly label: string;
  readonly kind: CacheKind;
  readonly options: CacheOptions;
}

/** The windows of the defaults: powers of two from 4 to 256, up to the context. */
export function defaultWindows(config: ModelConfig): number[] {
  const out: number[] = [];
  for (let w = 4; w <= Math.min(256, config.contextLength); w *= 2) out.push(w);
  return out;
}

/**
 * none, full, paged, int8 (per-token and per-channel keys), sliding-window at each default window, sinks
 * with 1 and with 4 sinks at the same windows (where the sinks fit), then sliding-window and sinks with 4
 * sinks again with positions in the cache.
 */
export function defaultStrategies(config: ModelConfig): EvalStrategy[] {
  const specs = ["none", "full", "paged", "int8", "int8:channel"];
  const windows = defaultWindows(config);
  const fits = (w: number, s: number): boolean => s < w && s + w <= config.contextLength;
  for (const w of windows) specs.push(`sliding-window:${w}`);
  for (const s of [1, 4]) for (const w of windows) if (fits(w, s)) specs.push(`sinks:${w}:${s}`);
  for (const w of windows) specs.push(`sliding-window:${w}:cache`);
  for (const w of windows) if (fits(w, 4)) specs.push(`sinks:${w}:4:cache`);
  return specs.map((s) => parseStrategy(s, config));
}

const SPECS = "none, full, paged[:B], int8[:token|channel], sliding-window:W[:cache], sinks:W:S[:cache]";

/** The window strategies' optional last part: where positions come from (absolute by default). */
function positionsOf(spec: string, parts: string[], n: number): PositionScheme {
  if (parts.length === n) return "absolute";
  if (parts.length === n + 1 && POSITION_SCHEMES.includes(parts[n] as PositionScheme)) return parts[n] as PositionScheme;
  throw new ConfigError("strategy", spec, `takes ${n === 1 ? "the window" : "the window and the sinks"}, then optionally the positions: ${n === 1 ? "sliding-window:W" : "sinks:W:S"}[:${POSITION_SCHEMES.join("|")}]`);
}

/** ":cache" after a window strategy's label when its positions are in the cache. */
const suffix = (positions: PositionScheme): string => (positions === "absolute" ? "" : `:${positions}`);

/** An integer part of a spec in [min, max], else a ConfigError naming the range. */
function integer(field: string, text: string | undefined, min: number, max: number, what: string): number {
  const x = Number(text);
  if (text === undefined || text === "" || !Number.isInteger(x) || x < min || x > max) {
    throw new ConfigError(field, text ?? "(missing)", `must be an integer in [${min}, ${max}] (${what})`);
  }
  return x;
}

/**
 * A strategy from its spec; a ConfigError for an unknown strategy or option, a window or sink count that
 * does not fit the context, or sinks >= window. parseStrategy("sinks:64:4", config)
 */
export function parseStrategy(spec: string, config: ModelConfig): EvalStrategy {
  const [name, ...parts] = spec.trim().split(":");
  const C = config.contextLength;
  const none = (): void => {
    if (parts.length > 0) throw new ConfigError("strategy", spec, `takes no setting (the strategies: ${SPECS})`);
  };
  switch (name as CacheKind) {
    case "none":
    case "full":
      none();
      return { label: name!, kind: name as CacheKind, options: {} };
    case "paged": {
      if (parts.length > 1) throw new ConfigError("strategy", spec, "takes one setting, the block size: paged:B");
      if (parts.length === 0) return { label: "paged", kind: "paged", options: {} };
      const B = integer("block_size", parts[0], 1, C, `positions per block, at most the context ${C}`);
      return { label: `paged:${B}`, kind: "paged", options: { blockSize: B } };
    }
    case "int8": {
      if (parts.length > 1 || (parts.length === 1 && !KEY_SCALES.includes(parts[0] as KeyScales))) {
        throw new ConfigError("strategy", spec, `takes one setting, the key scales: int8:${KEY_SCALES.join(" or int8:")}`);
      }
      const keyScales = (parts[0] ?? "token") as KeyScales;
      return { label: keyScales === "token" ? "int8" : `int8:${keyScales}`, kind: "int8", options: { keyScales } };
    }
    case "sliding-window": {
      const positions = positionsOf(spec, parts, 1);
      const W = integer("window", parts[0], 1, C, `positions kept, at most the context ${C}`);
      return { label: `sliding-window:${W}${suffix(positions)}`, kind: "sliding-window", options: positions === "absolute" ? { window: W } : { window: W, positions } };
    }
    case "sinks": {
      const positions = positionsOf(spec, parts, 2);
      const W = integer("window", parts[0], 2, C - 1, `positions kept after the sinks; window + sinks at most the context ${C}`);
      const S = integer("sinks", parts[1], 1, Math.min(W - 1, C - W), `leading positions kept: fewer than the window ${W}, and window + sinks at most the context ${C}`);
      return { label: `sinks:${W}:${S}${suffix(positions)}`, kind: "sinks", options: positions === "absolute" ? { window: W, sinks: S } : { window: W, sinks: S, positions } };
    }
    default:
      throw new ConfigError("strategy", spec, `is not a cache strategy (choose from: ${SPECS}; the kinds are ${CACHE_KINDS.join(", ")})`);
  }
}
