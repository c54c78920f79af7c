// Flags shared by several commands (model shape, seed, weights) and the number parsers behind every
// numeric flag. A bad number is caught while parsing, and commander's message names the flag and the value:
//   option '--max-new-tokens <n>' argument 'abc' is invalid. Expected an integer >= 0.
import { InvalidArgumentError, Option, type Command } from "commander";
import { DEFAULT_CONFIG, MAX_CONTEXT_LENGTH, type Positional } from "@tinylm/model";

export const POSITIONALS: readonly Positional[] = ["learned", "sinusoidal"];
const MAX_SEED = 2 ** 32 - 1; // the generators are 32-bit (mulberry32)

/** A commander parser for an integer in [min, max]; "1.5", "1e3", "0x10" and "" are refused. */
export function integerArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  return (value) => {
    const n = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Expected ${expected}.`);
    return n;
  };
}

/** A commander parser for a finite decimal number >= min (or > min when `exclusive`) and <= max. */
export function numberArg(min: number, max = Infinity, exclusive = false): (value: string) => number {
  const low = exclusive ? `> ${min}` : `>= ${min}`;
  const expected = max === Infinity ? `a number ${low}` : `a number in ${exclusive ? "(" : "["}${min}, ${max}]`;
  return (value) => {
    const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(n) || n < min || (exclusive && n === min) || n > max) throw new InvalidArgumentError(`Expected ${expected}.`);
    return n;
  };
}

// ---- shared flags ----

/** --weights; `without` says what is used when it is absent. */
export const weightsOption = (without = "a model with seeded random weights"): Option =>
  new Option("--weights <file>", `load the model from a .safetensors file (see \`tinylm init\`); its config is used (default: none, ${without})`);

export const seedOption = (description: string): Option =>
  new Option("--seed <n>", description).argParser(integerArg(0, MAX_SEED)).default(0);

/** --context-length, --positional, --n-heads: the model's shape (when the command has no --weights file). */
export function configOptions(hasWeights = true): Option[] {
  const file = hasWeights ? " (with --weights: the file's)" : "";
  return [
    new Option("--context-length <n>", `context length C: the most positions the model can see${file}`)
      .argParser(integerArg(1, MAX_CONTEXT_LENGTH))
      .default(DEFAULT_CONFIG.contextLength),
    new Option("--positional <kind>", `position encoding: a learned table or fixed sinusoids${file}`)
      .choices(POSITIONALS)
      .default(DEFAULT_CONFIG.positional),
    new Option("--n-heads <n>", `attention heads; must divide d_model ${DEFAULT_CONFIG.dModel}${file}`)
      .argParser(integerArg(1))
      .default(DEFAULT_CONFIG.nHeads),
  ];
}

/** The config flags the user typed, leaving out defaults (so they can be checked against a weights file). */
export interface ConfigFlags {
  readonly contextLength?: number;
  readonly positional?: Positional;
  readonly nHeads?: number;
}

export function givenConfigFlags(command: Command): ConfigFlags {
  const values = command.opts<Record<string, unknown>>();
  const given = (key: keyof ConfigFlags) => (command.getOptionValueSource(key) === "cli" ? values[key] : undefined);
  return {
    contextLength: given("contextLength") as number | undefined,
    positional: given("positional") as Positional | undefined,
    nHeads: given("nHeads") as number | undefined,
  };
}
