// Reading a prompt from a file or standard input without trusting its size: the kind of file is checked
// first (a directory is refused; a pipe or a device such as /dev/zero is read only up to the limit), and at
// most MAX_PROMPT_BYTES + 1 bytes are read, so an endless or huge input fails at once.
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { MAX_CONTEXT_LENGTH } from "@tinylm/model";
import { UsageError } from "./errors.js";

/** The most prompt bytes read: 100 bytes per token of the longest context (10,000). */
export const MAX_PROMPT_BYTES = 100 * MAX_CONTEXT_LENGTH;

export interface PromptInput {
  /** The text read: all of it, or its first MAX_PROMPT_BYTES bytes when `truncated`. */
  readonly text: string;
  readonly truncated: boolean;
  /** The file's size when known (a regular file), else undefined. */
  readonly size?: number;
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Reads from `fd` until end of file or `limit` bytes. */
export function readAtMost(fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let at = 0;
  while (at < limit) {
    let n: number;
    try {
      n = readSync(fd, buffer, at, limit - at, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") { sleep(5); continue; } // a non-blocking pipe or terminal: wait for data
      if ((e as NodeJS.ErrnoException).code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    at += n;
  }
  return buffer.subarray(0, at);
}

function decoded(bytes: Buffer, size?: number): PromptInput {
  const truncated = bytes.length > MAX_PROMPT_BYTES;
  return { text: (truncated ? bytes.subarray(0, MAX_PROMPT_BYTES) : bytes).toString("utf8"), truncated, size };
}

const kind = (st: Stats): string => (st.isDirectory() ? "a directory" : st.isSocket() ? "a socket" : "");

/** The prompt in file `path` (its first MAX_PROMPT_BYTES bytes when longer). `shown` is the name used in messages. */
export function readPromptFile(path: string, shown = path): PromptInput {
  const fail = (e: unknown): never => {
    throw new UsageError(`generate: cannot read --prompt-file "${shown}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  };
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return fail(e);
  }
  if (kind(st) !== "") throw new UsageError(`generate: --prompt-file "${shown}" is ${kind(st)}; give a text file, or - to read standard input`);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    return fail(e);
  }
  try {
    return decoded(readAtMost(fd, MAX_PROMPT_BYTES + 1), st.isFile() ? st.size : undefined);
  } catch (e) {
    return fail(e);
  } finally {
    closeSync(fd);
  }
}

/** The prompt on standard input (`--prompt-file -`), bounded like a file. */
export function readStdinPrompt(fd = 0): string {
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    throw new UsageError(`generate: cannot read standard input (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (st.isDirectory()) throw new UsageError("generate: standard input is a directory; --prompt-file - reads the prompt from a pipe or a file (tinylm generate --prompt-file - < prompt.txt)");
  try {
    return readAtMost(fd, MAX_PROMPT_BYTES + 1).toString("utf8");
  } catch (e) {
    throw new UsageError(`generate: cannot read standard input (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * The error for a prompt longer than MAX_PROMPT_BYTES, counted on its first bytes only: the tokens it holds
 * there (a word cut at the end not counted) against the model's `limit`, else its size.
 */
export function promptTooLong(input: PromptInput, limit: number, why: string): UsageError {
  const words = input.text.split(/\s+/).filter((w) => w.length > 0);
  const complete = /\s$/.test(input.text) ? words.length : words.length - 1;
  const size = input.size !== undefined ? ` (${input.size.toLocaleString("en-US")} bytes)` : "";
  if (complete > limit) {
    return new UsageError(`generate: the prompt has at least ${complete.toLocaleString("en-US")} tokens in its first ${MAX_PROMPT_BYTES.toLocaleString("en-US")} bytes${size}, more than the ${limit.toLocaleString("en-US")} that fit (${why}). Shorten the prompt or raise --context-length.`);
  }
  return new UsageError(`generate: the prompt is longer than ${MAX_PROMPT_BYTES.toLocaleString("en-US")} bytes${size}, the most tinylm reads (100 bytes per token of the longest context); shorten it`);
}
