// The real executable, spawned: exit codes, one-line errors, --help, the non-terminal hint, stdin.
// beforeAll compiles the package with its own tsconfig.build.json into a scratch directory (the tests must
// not depend on, or race with, a build of dist/), so this file always runs the current sources.
import { spawn, spawnSync, type StdioOptions } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { makeConfig, serializeSafetensors, TinyLM } from "@tinylm/model";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
// inside node_modules, so the build resolves @tinylm/model and commander like dist/ does
const outDir = join(packageDir, "node_modules", ".cache", "tinylm-cli-test");
const cli = join(outDir, "cli.js");

beforeAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir, "--declaration", "false", "--sourceMap", "false"], {
    cwd: packageDir,
    encoding: "utf8",
  });
  // the Ink UI (src/ui) is not exercised here; only errors in the rest of the package stop the tests
  const errors = `${build.stdout}${build.stderr}`.split("\n").filter((l) => /error TS/.test(l) && !l.startsWith("src/ui/"));
  if (errors.length > 0 || !existsSync(cli)) throw new Error(`tsc -p tsconfig.build.json failed:\n${build.stdout}${build.stderr}`);
  writeFileSync(join(outDir, "package.json"), '{ "type": "module" }\n'); // node_modules ends the package scope
}, 60_000);

/** Runs the CLI with stdin a pipe (so not a terminal), like a script or CI. */
function tinylm(args: string[], input = "", stdio?: StdioOptions) {
  const r = spawnSync(process.execPath, [cli, ...args], { input, stdio, encoding: "utf8", env: { ...process.env, TINYLM_DEBUG: "" }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: ReturnType<typeof tinylm>, message: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stderr).toMatch(message);
}

describe("the bundled executable (what pnpm start and pnpm tinylm run)", { timeout: 120_000 }, () => {
  it("finds the trained models from its bundle, and generates what the unbundled CLI does, from its code cache or not", () => {
    const bundleDir = join(outDir, "bundle");
    const bundled = spawnSync(process.execPath, [join(packageDir, "scripts", "bundle.mjs"), "--entry", cli, "--outdir", bundleDir], { encoding: "utf8" });
    expect(bundled.status, bundled.stderr).toBe(0);
    const args = ["generate", "--prompt", "the cat", "--max-new-tokens", "8"];
    const run = (env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [join(bundleDir, "cli.js"), ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_OPTIONS: "", TINYLM_DEBUG: "", ...env } }); // V8 flags would reject the cache
    const r = run();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(tinylm(args).stdout);
    expect(run({ TINYLM_DEBUG: "1" }).stderr).toBe("tinylm: code cache used\n");
    const off = run({ TINYLM_DEBUG: "1", TINYLM_CODE_CACHE: "off" });
    expect([off.stdout, off.stderr]).toEqual([r.stdout, "tinylm: code cache not used: TINYLM_CODE_CACHE=off\n"]);
    const script = join(bundleDir, "tinylm.cjs");
    writeFileSync(script, `${readFileSync(script, "utf8")}\n`); // changed: a cache of the old file must not be trusted
    const stale = run({ TINYLM_DEBUG: "1" });
    expect([stale.stdout, stale.stderr]).toEqual([r.stdout, "tinylm: code cache not used: tinylm.cjs changed after the cache was written\n"]);
  });
});

describe("the tinylm executable", { timeout: 90_000 }, () => {
  it("prints help with the commands and exits 0", () => {
    const r = tinylm(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: tinylm \[options\] \[command\]/);
    for (const command of ["summary", "init", "generate"]) expect(r.stdout).toContain(`  ${command} [options]`);
    const generate = tinylm(["generate", "--help"]);
    expect(generate.code).toBe(0);
    expect(generate.stdout).toMatch(/--cache <kind>[^]*default: "full"/);
  });

  it("prints a one-line hint and exits 0 with no command when stdin is not a terminal", () => {
    const r = tinylm([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^tinylm: the interactive UI needs a terminal; in scripts use `tinylm generate --prompt "the cat sat"`.*\n$/);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("prints the summary with the total", () => {
    const r = tinylm(["summary"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Total params: 105,172");
  });

  it("leaves exactly one JSON object on stdout with generate --json, the prompt read from stdin", () => {
    const r = tinylm(["generate", "--prompt-file", "-", "--max-new-tokens", "10", "--json"], "the cat sat\n");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    const json = JSON.parse(r.stdout);
    expect(json.prompt_ids).toEqual([0, 1, 3]);
    expect(json.ids).toHaveLength(10);
  });

  it("exits 0 and notes the stop on stderr when the context fills up", () => {
    const r = tinylm(["generate", "--prompt", "the cat sat", "--max-new-tokens", "50"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split(" ")).toHaveLength(29);
    expect(r.stderr).toMatch(/^tinylm: stopped after 29 tokens: the sequence reached its limit of 32 positions.*\n$/);
  });

  it("exits 2 with one line for an unknown word, naming the nearest word", () => {
    expectOneLineError(tinylm(["generate", "--prompt", "the kat sat"]), /^tinylm: vocab: unknown word "kat" at position 2; did you mean "cat"\?/);
  });

  it("exits 2 with one line for a bad number, naming the flag", () => {
    expectOneLineError(tinylm(["generate", "--prompt", "the", "--max-new-tokens", "abc"]), /^tinylm: option '--max-new-tokens <n>' argument 'abc' is invalid\. Expected an integer >= 0\.\n$/);
  });

  it("exits 2 with one line for an unknown flag", () => {
    expectOneLineError(tinylm(["summary", "--jsn"]), /^tinylm: unknown option '--jsn' \(Did you mean --json\?\)\n$/);
  });

  it("exits 2 with one line for a truncated weights file and for a missing one", () => {
    const config = makeConfig({ contextLength: 8 });
    const bytes = serializeSafetensors(config, TinyLM.init(config, { seed: 1 }).weights);
    const dir = mkdtempSync(join(tmpdir(), "tinylm-exe-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "cut.safetensors"), bytes.subarray(0, 1000));
    expectOneLineError(tinylm(["generate", "--weights", join(dir, "cut.safetensors"), "--prompt", "the"]), /^tinylm: safetensors: .*truncated.* \(in ".*cut.safetensors"\)\n$/);
    expectOneLineError(tinylm(["generate", "--weights", join(dir, "none.safetensors"), "--prompt", "the"]), /^tinylm: weights: cannot read ".*none.safetensors" \(ENOENT\)/);
  });

  it("refuses endless and oversized input at once: --weights /dev/zero, --prompt-file /dev/zero, a 200 MB prompt", { timeout: 120_000 }, () => {
    expectOneLineError(tinylm(["generate", "--weights", "/dev/zero", "--prompt", "the"]), /^tinylm: weights: "\/dev\/zero" is a device; expected a .safetensors file/);
    expectOneLineError(tinylm(["generate", "--prompt-file", "/dev/zero"]), /^tinylm: generate: the prompt is longer than 1,000,000 bytes, the most tinylm reads/);
    const big = join(mkdtempSync(join(tmpdir(), "tinylm-exe-")), "big.txt");
    writeFileSync(big, "the cat sat on the mat ".repeat(50_000)); // 1.15 MB of words, then a sparse tail
    truncateSync(big, 200_000_000);
    expectOneLineError(tinylm(["generate", "--prompt-file", big]), /^tinylm: generate: the prompt has at least 260,869 tokens in its first 1,000,000 bytes \(200,000,000 bytes\), more than the 32 that fit \(context_length 32\)/);
    expectOneLineError(tinylm(["generate", "--prompt-file", dirname(big)]), /^tinylm: generate: --prompt-file ".*" is a directory; give a text file, or - to read standard input\n$/);
  });

  it("says in one line, exit 2, that standard input is a directory (--prompt-file - < DIR)", () => {
    const fd = openSync(tmpdir(), "r");
    try {
      expectOneLineError(tinylm(["generate", "--prompt-file", "-"], "", [fd, "pipe", "pipe"]), /^tinylm: generate: standard input is a directory/);
    } finally {
      closeSync(fd);
    }
  });

  it("ends with one line on stderr, not a stack, when stdout cannot be written (> /dev/full)", () => {
    const fd = openSync("/dev/full", "w");
    try {
      const r = tinylm(["generate", "--prompt", "the cat"], "", ["pipe", fd, "pipe"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("tinylm: cannot write to standard output (ENOSPC); is the disk full or the output closed?\n");
    } finally {
      closeSync(fd);
    }
  });

  it("quotes a short prefix of a huge flag value", () => {
    const r = tinylm(["generate", "--prompt", "the", "--cache", "x".repeat(100_000)]);
    expectOneLineError(r, /^tinylm: option '--cache <kind>' argument 'x{60}'… is invalid/);
    expect(r.stderr.length).toBeLessThan(420);
  });

  it("refuses non-finite weights: init --std 1e39, and summary and generate of a file holding NaN", { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-exe-"));
    expectOneLineError(tinylm(["init", "--out", join(dir, "inf.safetensors"), "--std", "1e39"]), /^tinylm: init: "tok_emb.weight" holds -?Infinity at index \[\d+, \d+\]/);
    expect(readdirSync(dir)).toEqual([]);
    const config = makeConfig({ contextLength: 8 });
    const bytes = Buffer.from(serializeSafetensors(config, TinyLM.init(config, { seed: 1 }).weights));
    bytes.writeFloatLE(Number.NaN, bytes.length - 4); // the last value of lm_head.bias
    writeFileSync(join(dir, "nan.safetensors"), bytes);
    for (const command of ["summary", "generate"]) {
      expectOneLineError(tinylm([command, "--weights", join(dir, "nan.safetensors"), "--prompt", "the"].slice(0, command === "summary" ? 3 : 5)), /^tinylm: safetensors: "lm_head.bias" holds NaN at index \[19\] \(flat 19\)/);
    }
  });

  it("leaves no temporary file when init is killed while it writes", { timeout: 120_000 }, async () => {
    // a preload holds the rename (after the temporary file is written) until the test has sent the signal,
    // so the signal surely lands mid-write, whatever the machine's load
    const dir = mkdtempSync(join(tmpdir(), "tinylm-exe-"));
    const out = join(dir, "out");
    mkdirSync(out);
    const [ready, go, preload] = [join(dir, "ready"), join(dir, "go"), join(dir, "hold-rename.cjs")];
    writeFileSync(preload, `const fs = require("node:fs"); const rename = fs.renameSync;
fs.renameSync = (...a) => {
  fs.writeFileSync(${JSON.stringify(ready)}, "");
  while (!fs.existsSync(${JSON.stringify(go)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  return rename(...a);
};
require("node:module").syncBuiltinESMExports();\n`);
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      rmSync(ready, { force: true });
      rmSync(go, { force: true });
      const target = join(out, `${signal}.safetensors`);
      const child = spawn(process.execPath, ["--require", preload, cli, "init", "--out", target], { stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      while (!existsSync(ready)) await new Promise((r) => setTimeout(r, 10));
      expect(readdirSync(out).some((f) => f.endsWith(".tmp"))).toBe(true); // caught mid-write
      child.kill(signal);
      await new Promise((r) => setTimeout(r, 200)); // the signal is delivered while the write is held
      writeFileSync(go, "");
      expect(await exited).toBe(signal === "SIGTERM" ? 143 : 130);
      expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      expect(readFileSync(target).length).toBe(425_376); // the whole file, renamed into place
    }
  });
});
