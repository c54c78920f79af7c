// How the CLI ends: a user mistake (a bad flag, an unknown word, a broken weights file) is exit status 2
// with one line `tinylm: <message>` on stderr and no stack trace; anything else is a bug, exit status 1.
import { CommanderError } from "commander";
import { ConfigError, ContextError, VocabularyError, WeightsError } from "@tinylm/model";

/** A mistake in how the command was called that commander cannot see (e.g. two flags that disagree). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The user stopped a long command (Ctrl+C) after it printed what it had finished: exit status 130. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
}

export interface Outcome {
  readonly exitCode: number;
  /** What to write on stderr ("" for none); one line for user mistakes. */
  readonly stderr: string;
}

const USER_ERRORS = [UsageError, ConfigError, VocabularyError, WeightsError, ContextError] as const;

/** The longest message printed; a longer one (it would be quoting input) is cut, marked with "…". */
export const MAX_MESSAGE_LENGTH = 400;

/**
 * Joins a multi-line message (commander adds "(Did you mean …?)" on its own line) into one line, cuts any
 * quoted value past 60 characters (commander quotes flag values whole: `--cache` with 100 KB of text) and
 * caps the whole at MAX_MESSAGE_LENGTH.
 */
const oneLine = (message: string): string => {
  const line = message
    .replace(/'([^'\n]{61,})'/g, (_, v: string) => `'${v.slice(0, 60)}'…`)
    .replace(/\s*\n\s*/g, " ")
    .trim();
  return line.length <= MAX_MESSAGE_LENGTH ? line : `${line.slice(0, MAX_MESSAGE_LENGTH)}…`;
};

/** Maps whatever a command threw to its exit status and stderr text. `debug` adds the stack of internal errors. */
export function outcomeOf(error: unknown, debug = false): Outcome {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0 and their text already written
    if (error.exitCode === 0) return { exitCode: 0, stderr: "" };
    return { exitCode: 2, stderr: `tinylm: ${oneLine(error.message.replace(/^error: /, ""))}\n` };
  }
  if (error instanceof Interrupted) return { exitCode: 130, stderr: `tinylm: ${oneLine(error.message)}\n` };
  if (USER_ERRORS.some((kind) => error instanceof kind)) {
    return { exitCode: 2, stderr: `tinylm: ${oneLine((error as Error).message)}\n` };
  }
  const message = error instanceof Error ? error.message : String(error);
  const detail = debug && error instanceof Error && error.stack ? `\n${error.stack}` : " (run with TINYLM_DEBUG=1 for the stack trace)";
  return { exitCode: 1, stderr: `tinylm: internal error: ${oneLine(message)}${detail}\n` };
}
