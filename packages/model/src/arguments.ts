// Checks of the arguments of public calls, made once at the boundary so the inner loops can trust their
// input. Each throws an ArgumentError (or a ConfigError for config keys) in the API's words.
import type { AttentionSpan, Tensor } from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";
import { ArgumentError, ConfigError, quote, StateError } from "./errors.js";
import type { KVCache } from "./kv-cache/types.js";
import { editDistance } from "./vocab.js";

/**
 * `; did you mean "x"?` for the candidate nearest to `name` by edit distance, when it is near enough to be a
 * typo (at most 2 edits, or a third of the name); else "". Only the first 40 characters of `name` count.
 */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const near = nearTo(name, candidates);
  return near === undefined ? "" : `; did you mean "${near}"?`;
}

/** The candidate nearest to `name`, when near enough to be a typo (see didYouMean). */
function nearTo(name: string, candidates: readonly string[]): string | undefined {
  const n = name.slice(0, 40).toLowerCase();
  let best = "", bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(n, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(n.length / 3)) ? best : undefined;
}

/** An ArgumentError for options key `key`, which is not one of `known` (naming the nearest, if one is near). */
export function unknownKey(op: string, name: string, key: string, value: unknown, known: readonly string[]): ArgumentError {
  const near = nearTo(key, known);
  return new ArgumentError(op, `${name} key ${quote(key)}`, value, "is not an option", `one of: ${known.join(", ")}${near === undefined ? "" : ` (the nearest is "${near}")`}`);
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** `value` as an options object: undefined gives {}; anything but a plain object is an ArgumentError. */
export function optionsObject<T extends object>(op: string, name: string, value: T | undefined, known: readonly string[]): T {
  if (value === undefined) return {} as T;
  if (!isPlainObject(value)) throw new ArgumentError(op, name, value, "is not an object", `an object with some of: ${known.join(", ")}`);
  for (const key in value) {
    if (!known.includes(key)) throw unknownKey(op, name, key, (value as Record<string, unknown>)[key], known);
  }
  return value;
}

/** The config keys of `overrides` must all be known (a typo is a ConfigError naming the nearest key). */
export function knownConfigKeys(overrides: unknown, known: readonly string[]): asserts overrides is Record<string, unknown> {
  if (!isPlainObject(overrides)) throw new ConfigError("config", overrides, `must be an object of model sizes, some of: ${known.join(", ")}`);
  for (const key in overrides) {
    if (!known.includes(key)) throw new ConfigError(key, overrides[key], `is not a config key${didYouMean(key, known)} (known: ${known.join(", ")})`);
  }
}

/**
 * Token ids: an array (or typed array) of integers in [0, V). A string is refused (encode() turns text into
 * ids). Allocates nothing: forward calls it on every decode step.
 */
export function checkIds(op: string, ids: unknown, V: number, name = "tokens"): asserts ids is ArrayLike<number> {
  if (!Array.isArray(ids) && !(ArrayBuffer.isView(ids) && !(ids instanceof DataView))) {
    const hint = typeof ids === "string" ? "an array of token ids (encode() turns text into ids)" : "an array of token ids";
    throw new ArgumentError(op, name, ids, "is not an array of token ids", hint);
  }
  const list = ids as ArrayLike<unknown>;
  for (let i = 0; i < list.length; i++) {
    const id = list[i];
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= V) {
      throw new ArgumentError(op, `token id at index ${i}`, id, "is not in the vocabulary", `an integer in [0, ${V})`);
    }
  }
}

/** A position or count: a non-negative safe integer. */
export function checkCount(op: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ArgumentError(op, name, value, "is not a non-negative integer", "an integer >= 0");
  }
}

/** A callback, when given. */
export function checkFunction(op: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") throw new ArgumentError(op, name, value, "is not a function", "a function or undefined");
}

/** True for a float32 tensor (an ndarray over a Float32Array). */
export function isTensor(x: unknown): x is Tensor {
  const t = x as Tensor | null;
  return typeof t === "object" && t !== null && t.data instanceof Float32Array && Array.isArray(t.shape) && Array.isArray(t.stride) && typeof t.offset === "number" && typeof t.get === "function";
}

/**
 * A KVCache that can serve a model of `config`: an object with the interface's methods, not disposed, and,
 * for the built-in strategies (which expose their config), built for the same d_model and n_layers.
 */
export function checkCache(op: string, cache: unknown, config: ModelConfig): asserts cache is KVCache {
  const c = cache as (Partial<KVCache> & { readonly config?: ModelConfig }) | null;
  if (typeof c !== "object" || c === null || typeof c.append !== "function" || typeof c.advance !== "function" || typeof c.reset !== "function" || typeof c.length !== "number") {
    throw new ArgumentError(op, "cache", cache, "is not a KVCache", 'a strategy name ("full", …), createCache(kind, model.config), or an object implementing KVCache');
  }
  if (c.disposed === true) throw new StateError(op, `the ${String(c.kind)} cache was disposed; create a new one`);
  const cc = c.config;
  if (cc !== undefined && cc !== config && (cc.dModel !== config.dModel || cc.nLayers !== config.nLayers)) {
    throw new ArgumentError(op, "cache", `d_model=${cc.dModel}, n_layers=${cc.nLayers}`, "was built for a model of other sizes", `a cache for d_model=${config.dModel}, n_layers=${config.nLayers} (createCache(kind, model.config))`);
  }
}

/** An attention span: window an integer >= 1 or Infinity, sinks an integer >= 0. */
export function checkSpan(op: string, span: unknown): asserts span is AttentionSpan {
  const s = span as AttentionSpan | null;
  const ok = typeof s === "object" && s !== null && typeof s.window === "number" && (s.window === Infinity || (Number.isSafeInteger(s.window) && s.window >= 1)) &&
    typeof s.sinks === "number" && Number.isSafeInteger(s.sinks) && s.sinks >= 0;
  if (!ok) throw new ArgumentError(op, "span", span === null || typeof span !== "object" ? span : [s!.window, s!.sinks], "is not an attention span [window, sinks]", "{ window: an integer >= 1 or Infinity, sinks: an integer >= 0 }");
}
