// The UI's settings: what the model is built from (weights file or seed, context length, positions,
// heads) and how each generation runs (cache strategy, token budget, sampling). Each editable field is
// described once here; the settings panel lists them and `parseField` turns typed text into a value.
import { CACHE_KINDS, type CacheOptions, DEFAULT_SINKS, type Positional, type SamplingOptions } from "@tinylm/model";

export type SamplingMode = "greedy" | "temperature" | "top-k" | "top-p";
export const SAMPLING_MODES: readonly SamplingMode[] = ["greedy", "temperature", "top-k", "top-p"];

/** Changing any of these rebuilds the model. */
export interface ModelSettings {
  readonly weightsPath: string | null; // null: seeded weights
  readonly seed: number; // weights seed (TinyLM.init)
  readonly contextLength: number;
  readonly positional: Positional;
  readonly nHeads: number;
}

/** Read at the start of each generation. */
export interface RunSettings {
  readonly cache: string; // one of CACHE_KINDS
  readonly window: number | null; // positions kept by window strategies; null: the library's default
  readonly sinks: number | null; // leading positions kept by `sinks`; null: the library's default
  readonly maxNewTokens: number;
  readonly sampling: SamplingMode;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly samplingSeed: number;
}

export interface Settings extends ModelSettings, RunSettings {}

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  weightsPath: null,
  seed: 0,
  contextLength: 32, // the exercise's context; raise it (⌃O) to watch `none` slow down
  positional: "learned",
  nHeads: 1,
  cache: "full",
  window: null, // half the context length
  sinks: null, // 4, as StreamingLLM
  maxNewTokens: 20,
  sampling: "greedy",
  temperature: 0.8,
  topK: 5,
  topP: 0.9,
  samplingSeed: 0,
});

/**
 * The long-context preset of Ctrl+L: long enough that recomputing the whole sequence per token (`none`)
 * is visibly slower than the cache (tens of ms a token against a fraction of one), short enough that `none`
 * finishes in about 15 s (measured on a 2-core machine; 500 tokens took 45 s: attention grows as T²).
 */
export const LONG_RUN = Object.freeze({ contextLength: 1000, maxNewTokens: 300 });

export const MODEL_KEYS: readonly (keyof ModelSettings)[] = ["weightsPath", "seed", "contextLength", "positional", "nHeads"];

/** Only the model settings of `s` (Settings has both kinds). */
export function modelSettingsOf(s: ModelSettings): ModelSettings {
  return { weightsPath: s.weightsPath, seed: s.seed, contextLength: s.contextLength, positional: s.positional, nHeads: s.nHeads };
}

/** The library's sampling options for the chosen mode. */
export function samplingOptions(s: RunSettings): SamplingOptions {
  switch (s.sampling) {
    case "greedy":
      return {};
    case "temperature":
      return { temperature: s.temperature, seed: s.samplingSeed };
    case "top-k":
      return { temperature: s.temperature, topK: s.topK, seed: s.samplingSeed };
    case "top-p":
      return { temperature: s.temperature, topP: s.topP, seed: s.samplingSeed };
  }
}

/** The library's cache options; an automatic value is left to the library's default. */
export function cacheOptions(s: RunSettings): CacheOptions {
  return { window: s.window ?? undefined, sinks: s.sinks ?? undefined };
}

/** "greedy", "temperature 0.8", "top-k 5 (t 0.8)", … */
export function describeSampling(s: RunSettings): string {
  if (s.sampling === "greedy") return "greedy";
  if (s.sampling === "temperature") return `temperature ${s.temperature}, seed ${s.samplingSeed}`;
  const knob = s.sampling === "top-k" ? `top-k ${s.topK}` : `top-p ${s.topP}`;
  return `${knob}, t ${s.temperature}, seed ${s.samplingSeed}`;
}

// ---- editable fields ----

export type FieldKey = keyof Settings;

export interface Field {
  readonly key: FieldKey;
  readonly label: string;
  /** Choices for a pick-one field; absent for typed fields. */
  readonly choices?: readonly string[];
  readonly help: string;
}

export const FIELDS: readonly Field[] = [
  { key: "cache", label: "cache strategy", choices: CACHE_KINDS, help: "how past keys and values are kept (none = recompute everything)" },
  { key: "maxNewTokens", label: "max new tokens", help: "tokens to generate per prompt, an integer >= 0" },
  { key: "sampling", label: "sampling", choices: SAMPLING_MODES, help: "greedy picks the most likely word; the others sample" },
  { key: "temperature", label: "temperature", help: "a number >= 0 used by temperature, top-k and top-p (0 = greedy)" },
  { key: "topK", label: "top-k", help: "keep the k most likely words, an integer >= 1" },
  { key: "topP", label: "top-p", help: "keep the most likely words up to probability p, in (0, 1]" },
  { key: "samplingSeed", label: "sampling seed", help: "the same seed gives the same text, an integer" },
  { key: "window", label: "window", help: "positions kept by sliding-window and sinks, an integer >= 1 or auto (half the context)" },
  { key: "sinks", label: "sinks", help: `leading positions the sinks strategy always keeps, an integer >= 0 or auto (${DEFAULT_SINKS})` },
  { key: "contextLength", label: "context length", help: "most positions the model sees, 1 to 10,000 (rebuilds the model)" },
  { key: "positional", label: "positions", choices: ["learned", "sinusoidal"], help: "learned table or fixed sinusoids (rebuilds the model)" },
  { key: "nHeads", label: "heads", help: "attention heads; must divide d_model 64 (rebuilds the model)" },
  { key: "seed", label: "weights seed", help: "seed of the initial weights, an integer (rebuilds the model)" },
  { key: "weightsPath", label: "weights file", help: "a .safetensors file, or exercise, long, draft; empty = seeded weights" },
];

/** A field's value as shown in the panel. */
export function formatField(settings: Settings, key: FieldKey): string {
  const value = settings[key];
  if (key === "weightsPath") return value === null ? "(seeded)" : String(value);
  if (key === "window") return value === null ? "auto (half the context)" : String(value);
  if (key === "sinks") return value === null ? `auto (${DEFAULT_SINKS})` : String(value);
  return String(value);
}

/** A field's value as text to edit. */
export function editText(settings: Settings, key: FieldKey): string {
  const value = settings[key];
  return value === null ? "" : String(value);
}

const INTEGER = /^[+-]?\d+$/;

/** Typed text -> the field's new value, or an error message in the house form. */
export function parseField(key: FieldKey, text: string): { value: Settings[FieldKey] } | { error: string } {
  const field = FIELDS.find((f) => f.key === key);
  const label = field?.label ?? key;
  const t = text.trim();
  if (field?.choices) {
    return field.choices.includes(t) ? { value: t } : { error: `${label}: got "${t}", expected one of ${field.choices.join(", ")}` };
  }
  if (key === "weightsPath") return { value: t === "" ? null : t };
  if ((key === "window" || key === "sinks") && (t === "" || t === "auto")) return { value: null };
  const isInt = !["temperature", "topP"].includes(key);
  const n = Number(t);
  if (t === "" || !Number.isFinite(n) || (isInt && !INTEGER.test(t))) {
    return { error: `${label}: got "${t}", expected ${isInt ? "an integer" : "a number"}. ${field?.help ?? ""}`.trimEnd() };
  }
  const min: Partial<Record<FieldKey, number>> = { maxNewTokens: 0, temperature: 0, topK: 1, window: 1, sinks: 0, contextLength: 1, nHeads: 1 };
  const low = min[key];
  if (low !== undefined && n < low) return { error: `${label}: got ${n}, expected >= ${low}. ${field?.help ?? ""}`.trimEnd() };
  if (key === "topP" && !(n > 0 && n <= 1)) return { error: `top-p: got ${n}, expected a number in (0, 1]` };
  return { value: n };
}
