// The `tinylm` program: the subcommands summary, init and generate, and with no subcommand the Ink UI on a
// terminal (a one-line hint elsewhere). main() turns every outcome into an exit status and never exits itself.
import { Command } from "commander";
import type { TuiOptions } from "../ui/run.js";
import { outcomeOf, UsageError } from "./errors.js";
import { addEvalCommand } from "./eval.js";
import { addChatCommand } from "./chat.js";
import { addGenerateCommand } from "./generate.js";
import { addInitCommand } from "./init.js";
import type { Io } from "./io.js";
import { configFromFlags, loadOrInitModel, modelWeightsOption, resolveWeights, weightsFromUser } from "./model-source.js";
import { configOptions, givenConfigFlags, seedOption } from "./options.js";
import { addSummaryCommand } from "./summary.js";

export type LaunchTui = (options: TuiOptions) => Promise<void>;

export const NO_TERMINAL_HINT =
  'tinylm: the interactive UI needs a terminal; in scripts use `tinylm generate --prompt "the cat sat"` (tinylm --help lists every command)\n';

const EXAMPLES = `
Examples:
  tinylm summary                                   parameters per module, per block and in total
  tinylm generate --prompt "the cat sat" --max-new-tokens 10
  tinylm generate --prompt "the cat sat" --cache none --json
  printf 'the cat\nsat on the\n' | tinylm chat      each line continues one conversation; the cache is kept
  tinylm init --out model.safetensors --seed 1
  tinylm generate --weights model.safetensors --prompt "a dog"
  tinylm generate --weights random --prompt "the cat"   the exercise's seeded random model
  tinylm eval --strategies full,int8,sliding-window:8   what each cache strategy costs (all of them by default)
  tinylm <command> --help                          the flags of one command, with their defaults

Exit status: 0 on success, 2 for a usage or input mistake (one line on stderr), 1 for an internal error.`;

const unknownCommand = (name: string): UsageError =>
  new UsageError(`unknown command "${name}"; the commands are summary, init, generate, chat and eval (see tinylm --help)`);

/** Root options only feed the UI; typed before a subcommand they would be silently lost, so refuse them. */
function refuseRootOptions(program: Command, sub: Command): void {
  for (const option of program.options) {
    if (program.getOptionValueSource(option.attributeName()) === "cli") {
      throw new UsageError(`${option.long} before "${sub.name()}" is not passed on to it; put it after the command: tinylm ${sub.name()} ${option.long} …`);
    }
  }
}

export function createProgram(io: Io, launchTui: LaunchTui): Command {
  const program = new Command("tinylm")
    .description("A tiny GPT-style language model (20 words, 3 blocks) with a KV cache. Without a command, opens the terminal UI.")
    .enablePositionalOptions() // `tinylm generate --seed 3`: --seed belongs to generate, not to the UI
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} })
    .addOption(modelWeightsOption())
    .addOption(seedOption("seed of the random weights (--weights random)"));
  for (const option of configOptions()) program.addOption(option);
  program.hook("preSubcommand", refuseRootOptions);
  addSummaryCommand(program, io);
  addInitCommand(program, io);
  addGenerateCommand(program, io);
  addChatCommand(program, io);
  addEvalCommand(program, io);
  // our own `help [command]`: commander's prints the whole help to stderr for an unknown name
  program
    .command("help [command]")
    .description("display help for a command")
    .action((name: string | undefined) => {
      const target = name === undefined ? program : program.commands.find((c) => c.name() === name);
      if (target === undefined) throw unknownCommand(name ?? "");
      target.outputHelp();
    });
  return program
    .allowExcessArguments() // after the subcommands, which must not inherit it: `tinylm foo` reaches the action below
    .addHelpText("after", EXAMPLES)
    .action(async (options: { weights?: string; seed: number }, cmd: Command) => {
      if (cmd.args.length > 0) {
        throw unknownCommand(cmd.args[0]!);
      }
      const flags = givenConfigFlags(cmd);
      const weights = resolveWeights({ ...flags, weights: weightsFromUser(io, options.weights) });
      // check the flags (and the file) here, so a mistake is one line on stderr rather than a broken UI
      if (weights !== null) loadOrInitModel({ ...flags, weights });
      else configFromFlags(flags);
      if (!io.interactive) return io.out(NO_TERMINAL_HINT);
      await launchTui({ weightsPath: weights ?? undefined, seed: options.seed, ...flags });
    });
}

export interface MainOptions {
  readonly launchTui: LaunchTui;
  /** Print the stack trace of internal errors (TINYLM_DEBUG=1). */
  readonly debug?: boolean;
}

/** Runs `tinylm` with `argv` (without node and the script) and returns the exit status. */
export async function main(argv: readonly string[], io: Io, options: MainOptions): Promise<number> {
  try {
    await createProgram(io, options.launchTui).parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    const outcome = outcomeOf(error, options.debug);
    if (outcome.stderr !== "") io.err(outcome.stderr);
    return outcome.exitCode;
  }
}
