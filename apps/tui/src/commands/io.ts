// Where the commands write and read: the process's streams in the CLI, memory buffers in tests, so a
// command can be called as a function and its output checked without spawning a process.
import { resolve } from "node:path";
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
  /** Standard input line by line, as it arrives (`tinylm chat`). */
  lines(): AsyncIterable<string>;
  /** The directory relative paths in flags (--out, --weights, --prompt-file) are resolved against. */
  readonly cwd: string;
}

/** `path` resolved against the directory the user ran the command from. */
export const resolvePath = (io: Io, path: string): string => resolve(io.cwd, path);

/**
 * The directory the user ran tinylm from. `pnpm tinylm …` and `pnpm start` run it from the repository
 * root, whichever folder they were typed in; pnpm records that folder in INIT_CWD, and names the script
 * in npm_lifecycle_event (so a tinylm started by another script, e.g. a test, keeps its own directory).
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const viaOurScript = env["npm_lifecycle_event"] === "tinylm" || env["npm_lifecycle_event"] === "start";
  return viaOurScript && env["INIT_CWD"] ? env["INIT_CWD"] : cwd;
}

/**
 * The real process streams. Node builds process.stdin and process.stderr on first use (process.stdin
 * alone costs milliseconds of a cold start), so whether they are terminals is asked only when it matters:
 * a `tinylm generate` never touches stdin. node:readline, for `tinylm chat`, loads with the first line.
 */
export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    get errIsTTY() {
      return process.stderr.isTTY === true;
    },
    get interactive() {
      return process.stdin.isTTY === true && process.stdout.isTTY === true;
    },
    readStdin: () => readStdinPrompt(0),
    lines: async function* () {
      const { createInterface } = await import("node:readline");
      yield* createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    },
    cwd: userCwd(),
  };
}

export interface MemoryIo extends Io {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** An Io that records what is written; for tests and for callers that want the text. */
export function memoryIo(options: { errIsTTY?: boolean; interactive?: boolean; stdin?: string; cwd?: string } = {}): MemoryIo {
  let stdout = "";
  let stderr = "";
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    errIsTTY: options.errIsTTY ?? false,
    interactive: options.interactive ?? false,
    readStdin: () => options.stdin ?? "",
    lines: async function* () {
      const text = options.stdin ?? "";
      const lines = text.split(/\r?\n/);
      if (lines[lines.length - 1] === "") lines.pop();
      yield* lines;
    },
    cwd: options.cwd ?? process.cwd(),
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
