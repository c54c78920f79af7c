// Where the commands write and read: the process's streams in the CLI, memory buffers in tests, so a
// command can be called as a function and its output checked without spawning a process.
import { readStdinPrompt } from "./read-input.js";

export interface Io {
  /** Writes to standard output (results: the continuation, the table, the JSON object). */
  out(text: string): void;
  /** Writes to standard error (errors, notes, progress). */
  err(text: string): void;
  /** Standard error is a terminal: progress lines and timing notes are shown only then. */
  readonly errIsTTY: boolean;
  /** Standard input and output are both terminals: only then does `tinylm` alone open the Ink UI. */
  readonly interactive: boolean;
  /** Standard input, for `--prompt-file -`: all of it, or its first MAX_PROMPT_BYTES + 1 bytes. */
  readStdin(): string;
}

/** The real process streams. */
export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    errIsTTY: process.stderr.isTTY === true,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
    readStdin: () => readStdinPrompt(0),
  };
}

export interface MemoryIo extends Io {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** An Io that records what is written; for tests and for callers that want the text. */
export function memoryIo(options: { errIsTTY?: boolean; interactive?: boolean; stdin?: string } = {}): MemoryIo {
  let stdout = "";
  let stderr = "";
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    errIsTTY: options.errIsTTY ?? false,
    interactive: options.interactive ?? false,
    readStdin: () => options.stdin ?? "",
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
