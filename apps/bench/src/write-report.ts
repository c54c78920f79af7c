// Writes index.html and results.json into the output folder, each atomically (a temporary file beside the
// target, then rename), so a crash or Ctrl-C never leaves a half-written report.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { UsageError } from "./errors.js";

/** Writes `text` to `path` through a temporary file and a rename. */
export function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`bench: cannot write "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check that the --out folder is writable`);
  }
}

/** Creates `dir` if needed and writes the page and the raw results; returns the page's path. */
export function writeReport(dir: string, html: string, results: unknown): { html: string; json: string } {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`bench: cannot create the output folder "${dir}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another with --out DIR`);
  }
  const paths = { html: join(dir, "index.html"), json: join(dir, "results.json") };
  writeAtomic(paths.json, JSON.stringify(results, null, 2) + "\n");
  writeAtomic(paths.html, html);
  return paths;
}

/** The text of plotly.js-dist-min's minified bundle, to inline in the page. */
export function readPlotly(): string {
  return readFileSync(createRequire(import.meta.url).resolve("plotly.js-dist-min"), "utf8");
}
