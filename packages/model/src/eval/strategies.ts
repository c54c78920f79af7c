// The strategies `tinylm eval` compares: their names (specs like "sinks:64:4"), the defaults, and the
// checks that make a setting that cannot work a one-line ConfigError naming the valid range.
import type { ModelConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { CACHE_KINDS, KEY_SCALES, type CacheKind, type CacheOptions, type KeyScales } from "../kv-cache/index.js";

/** One strategy and its setting, as `tinylm eval` runs it. */
export interface EvalStrategy {
  /** The spec it was named by: "none", "full", "paged", "paged:16", "int8", "int8:channel", "sliding-window:64", "sinks:64:4". */
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
 * none, full, paged, int8 (per-token and per-channel keys), sliding-window at each default window, and
 * sinks with 1 and with 4 sinks at the same windows (where the sinks fit).
 */
export function defaultStrategies(config: ModelConfig): EvalStrategy[] {
  const specs = ["none", "full", "paged", "int8", "int8:channel"];
  for (const w of defaultWindows(config)) specs.push(`sliding-window:${w}`);
  for (const s of [1, 4]) for (const w of defaultWindows(config)) if (s < w && s + w <= config.contextLength) specs.push(`sinks:${w}:${s}`);
  return specs.map((s) => parseStrategy(s, config));
}

const SPECS = "none, full, paged[:B], int8[:token|channel], sliding-window:W, sinks:W:S";

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
      if (parts.length !== 1) throw new ConfigError("strategy", spec, "takes one setting, the window: sliding-window:W");
      const W = integer("window", parts[0], 1, C, `positions kept, at most the context ${C}`);
      return { label: `sliding-window:${W}`, kind: "sliding-window", options: { window: W } };
    }
    case "sinks": {
      if (parts.length !== 2) throw new ConfigError("strategy", spec, "takes two settings, the window and the sinks: sinks:W:S");
      const W = integer("window", parts[0], 2, C - 1, `positions kept after the sinks; window + sinks at most the context ${C}`);
      const S = integer("sinks", parts[1], 1, Math.min(W - 1, C - W), `leading positions kept: fewer than the window ${W}, and window + sinks at most the context ${C}`);
      return { label: `sinks:${W}:${S}`, kind: "sinks", options: { window: W, sinks: S } };
    }
    default:
      throw new ConfigError("strategy", spec, `is not a cache strategy (choose from: ${SPECS}; the kinds are ${CACHE_KINDS.join(", ")})`);
  }
}
