// `tinylm init`: writes a seeded model to a .safetensors file (atomically, via saveModel), so later runs
// (`generate --weights`, the UI) can share the same weights. The same seed gives the same bytes everywhere.
import { existsSync, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import type { Command } from "commander";
import { saveModel } from "@tinylm/model/node";
import { UsageError } from "./errors.js";
import { describeConfig } from "./format-summary.js";
import { type Io, resolvePath } from "./io.js";
import { loadOrInitModel, RANDOM_WEIGHTS } from "./model-source.js";
import { configOptions, givenConfigFlags, numberArg, seedOption, type ConfigFlags } from "./options.js";

export interface InitCommandOptions extends ConfigFlags {
  readonly out: string;
  readonly seed?: number;
  /** Std of the normal init of matrices and embeddings (InitOptions.std, default 0.02). */
  readonly std?: number;
  /** Std of the noise on biases and LayerNorm parameters (InitOptions.perturb, default 0). */
  readonly perturb?: number;
  readonly force?: boolean;
}

/** Initialises the model and writes it to `options.out`; refuses to replace a file unless `force`. */
export function runInit(given: InitCommandOptions, io: Io): void {
  const options = { ...given, out: resolvePath(io, given.out) };
  if (!options.force && existsSync(options.out)) {
    throw new UsageError(`init: "${options.out}" already exists; pass --force to overwrite it`);
  }
  const seed = options.seed ?? 0;
  const model = loadOrInitModel({ ...options, weights: RANDOM_WEIGHTS, seed }, { std: options.std, perturb: options.perturb });
  saveModel(options.out, model);
  const bytes = statSync(options.out).size.toLocaleString("en-US");
  io.out(`wrote ${options.out} (${bytes} bytes): seed ${seed}, ${describeConfig(model.config)}\n`);
}

/**
 * Lets SIGINT, SIGTERM and SIGHUP end the process only once the synchronous write has finished: with a
 * handler installed, a signal that arrives mid-write waits for it (saveModel writes a temporary file and
 * renames it over the target), so a killed `init` leaves the old file or the new one, never a temporary file.
 */
function exitOnSignalsBetweenWrites(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => process.exit(128 + osConstants.signals[signal]));
  }
}

export function addInitCommand(program: Command, io: Io): Command {
  const command = program
    .command("init")
    .description("write a model with seeded random weights to a .safetensors file")
    .requiredOption("--out <file>", "where to write the weights, e.g. model.safetensors (required)")
    .addOption(seedOption("seed of the random weights: the same seed gives the same file"));
  for (const option of configOptions(false)) command.addOption(option);
  return command
    .option("--std <x>", "standard deviation of the normal init of matrices and embeddings (GPT-2's)", numberArg(0), 0.02)
    .option("--perturb <x>", "standard deviation of noise added to biases and LayerNorm parameters (0 = biases 0, norms 1)", numberArg(0), 0)
    .option("--force", "replace the file if it exists", false)
    .action(async (o: { out: string; seed: number; std: number; perturb: number; force: boolean }, cmd: Command) => {
      exitOnSignalsBetweenWrites();
      runInit({ ...givenConfigFlags(cmd), out: o.out, seed: o.seed, std: o.std, perturb: o.perturb, force: o.force }, io);
      // two turns of the event loop, so its poll phase has run once since the write: a signal that came
      // mid-write ends the process now, with its usual exit status (130, 143)
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    });
}
