// The bench's command lines, parsed by node:util parseArgs strictly: an unknown flag, a missing value or a
// stray word is a one-line UsageError naming the tool and where its help is.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

export type ArgValues = Record<string, string | boolean | undefined>;

/** The flags of argv (a leading "--" dropped: `pnpm bench -- --quick` passes it through). */
export function strictArgs(argv: readonly string[], options: NonNullable<ParseArgsConfig["options"]>, tool: string, help: string): ArgValues {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options }).values as ArgValues;
  } catch (e) {
    throw new UsageError(`${tool}: ${(e as Error).message.split("\n")[0]}. See ${help}`);
  }
}
