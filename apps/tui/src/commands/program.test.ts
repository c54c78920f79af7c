import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeConfig, serializeSafetensors, TinyLM } from "@tinylm/model";
import type { TuiOptions } from "../ui/run.js";
import { memoryIo } from "./io.js";
import { main, NO_TERMINAL_HINT } from "./program.js";

/** Runs `tinylm ...args` in process; `launched` records what the UI would have been given. */
async function tinylm(args: string[], ioOptions: Parameters<typeof memoryIo>[0] = {}) {
  const io = memoryIo(ioOptions);
  const launched: TuiOptions[] = [];
  const code = await main(args, io, { launchTui: async (o) => void launched.push(o) });
  return { code, stdout: io.stdout(), stderr: io.stderr(), launched };
}

/** Expects exit status 2 and exactly one line on stderr, `tinylm: <message>`, matching `message`. */
async function expectUserError(args: string[], message: RegExp | string) {
  const r = await tinylm(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.endsWith("\n")).toBe(true);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr.startsWith("tinylm: ")).toBe(true);
  if (typeof message === "string") expect(r.stderr).toBe(`tinylm: ${message}\n`);
  else expect(r.stderr).toMatch(message);
}

// ---- weights files broken in one way each (from good bytes, header edited or file cut) ----

const config = makeConfig({ contextLength: 8 });
const good = serializeSafetensors(config, TinyLM.init(config, { seed: 1 }).weights);
const headerLength = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));

function withHeader(edit: (h: Record<string, any>) => void): Uint8Array {
  const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + headerLength)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + good.length - 8 - headerLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(good.subarray(8 + headerLength), 8 + json.length);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "tinylm-cli-"));
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("tinylm (in process)", () => {
  it.each([
    ["an unknown word, naming it and the nearest word", ["generate", "--prompt", "the cow sat"], /^tinylm: vocab: unknown word "cow" at position 2; did you mean "cat"\?/],
    ["an empty prompt", ["generate", "--prompt", "  "], /^tinylm: vocab: the prompt is empty; expected at least one word/],
    ["a prompt longer than the context", ["generate", "--prompt", Array(33).fill("the").join(" ")], /^tinylm: generate: the prompt has 33 tokens, more than the 32 that fit \(context_length 32/],
    ["an unknown flag", ["generate", "--promt", "the"], "unknown option '--promt' (Did you mean --prompt?)"],
    ["a word for a number", ["generate", "--prompt", "the", "--max-new-tokens", "abc"], "option '--max-new-tokens <n>' argument 'abc' is invalid. Expected an integer >= 0."],
    ["a negative number", ["generate", "--prompt", "the", "--max-new-tokens", "-3"], "option '--max-new-tokens <n>' argument '-3' is invalid. Expected an integer >= 0."],
    ["a fraction for an integer", ["init", "--out", "x", "--seed", "1.5"], "option '--seed <n>' argument '1.5' is invalid. Expected an integer in [0, 4294967295]."],
    ["a context past the maximum", ["summary", "--context-length", "10001"], "option '--context-length <n>' argument '10001' is invalid. Expected an integer in [1, 10000]."],
    ["an unknown cache", ["generate", "--prompt", "the", "--cache", "magic"], /^tinylm: option '--cache <kind>' argument 'magic' is invalid. Allowed choices are none, full/],
    ["heads that do not divide d_model", ["summary", "--n-heads", "5"], 'config: n_heads must divide d_model=64 evenly (d_model is split into heads); got 5'],
    ["a missing option value", ["generate", "--prompt"], "option '--prompt <text>' argument missing"],
    ["a missing required option", ["init"], "required option '--out <file>' not specified"],
    ["both --prompt and --prompt-file", ["generate", "--prompt", "the", "--prompt-file", "-"], "option '--prompt <text>' cannot be used with option '--prompt-file <file>'"],
    ["an unknown command", ["generat"], 'unknown command "generat"; the commands are summary, init, generate, chat and eval (see tinylm --help)'],
    ["help for an unknown command", ["help", "generat"], 'unknown command "generat"; the commands are summary, init, generate, chat and eval (see tinylm --help)'],
    ["a UI flag before a command", ["--seed", "3", "generate", "--prompt", "the"], '--seed before "generate" is not passed on to it; put it after the command: tinylm generate --seed …'],
  ])("exits 2 with one line for %s", async (_, args, message) => {
    await expectUserError(args as string[], message);
  });

  it.each([
    ["a truncated file", () => good.subarray(0, good.length - 4), /^tinylm: safetensors: "lm_head.bias" data_offsets \[\d+, \d+\] run past the data section \(\d+ bytes\); the file is truncated \(in ".*a-truncated-file.safetensors"\)\n$/],
    ["a tensor with a wrong shape", () => withHeader((h) => (h["blocks.0.attn.q.weight"].shape = [64, 32])), /^tinylm: safetensors: "blocks.0.attn.q.weight" has shape \[64, 32\], expected \[64, 64\] from config d_model=64/],
    ["a header length past the end", () => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 10n ** 9n, true); return b; }, /^tinylm: safetensors: header length 1000000000 runs past the end of the file \(\d+ bytes\)/],
    ["a non-F32 tensor", () => withHeader((h) => (h["ln_f.bias"].dtype = "F16")), /^tinylm: safetensors: "ln_f.bias" has dtype "F16", expected "F32" \(float32 little endian\)/],
  ])("exits 2 with one line for a weights file with %s", async (name, make, message) => {
    const path = file(`${name.replace(/\W+/g, "-")}.safetensors`, make());
    await expectUserError(["generate", "--weights", path, "--prompt", "the"], message);
    await expectUserError(["summary", "--weights", path], message);
  });

  it("refuses a config flag that disagrees with the weights file, and accepts one that agrees", async () => {
    const path = file("good.safetensors", good);
    await expectUserError(["generate", "--weights", path, "--prompt", "the", "--context-length", "32"], `--context-length 32 disagrees with the weights file "${path}" (context_length 8); the config comes from the file, so drop --context-length`);
    await expectUserError(["generate", "--weights", path, "--prompt", "the", "--positional", "sinusoidal"], /^tinylm: --positional sinusoidal disagrees with the weights file .* \(positional learned\)/);
    const ok = await tinylm(["generate", "--weights", path, "--prompt", "the", "--context-length", "8", "--n-heads", "1"]);
    expect(ok.code).toBe(0);
  });

  it("prints the summary and exits 0", async () => {
    const r = await tinylm(["summary"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Total params: 105,172");
    expect(r.stderr).toBe("");
  });

  it("prints one JSON object for generate --json", async () => {
    const r = await tinylm(["generate", "--prompt", "the cat sat", "--max-new-tokens", "10", "--cache", "none", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    const json = JSON.parse(r.stdout);
    expect(json.ids).toHaveLength(10);
    expect(json.cache).toBe("none");
  });
});

describe("tinylm --help", () => {
  /** The option entries of a help text: each starts with "  -" and runs to the next one. */
  const entries = (help: string): string[] =>
    help.split("\nOptions:\n")[1]!.split(/\n(?:Commands|Examples):/)[0]!.split(/\n(?=  -)/).map((e) => e.replace(/\s+/g, " ").trim());

  it.each([[[]], [["summary"]], [["init"]], [["generate"]], [["chat"]]])("documents every flag of %j with its default", async (command) => {
    const r = await tinylm([...command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const options = entries(r.stdout).filter((e) => !e.startsWith("-h, --help") && !e.startsWith("--out "));
    expect(options.length).toBeGreaterThan(command.length === 0 ? 4 : 3);
    for (const entry of options) expect(entry).toMatch(/\(default: |default: /);
  });

  it("is also `tinylm help <command>`", async () => {
    const r = await tinylm(["help", "generate"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await tinylm(["generate", "--help"])).stdout);
    expect(r.stdout).toMatch(/^Usage: tinylm generate \[options\]/);
  });

  it("lists the sampling, cache and prompt flags of generate", async () => {
    const { stdout } = await tinylm(["generate", "--help"]);
    for (const flag of ["--prompt <text>", "--prompt-file <file>", "--max-new-tokens <n>", "--weights <file>", "--seed <n>", "--sample-seed <n>",
      "--context-length <n>", "--positional <kind>", "--n-heads <n>", "--cache <kind>", "--window <n>", "--sinks <n>", "--block-size <n>",
      "--temperature <t>", "--top-k <k>", "--top-p <p>", "--json"]) {
      expect(stdout).toContain(`  ${flag}`);
    }
    expect(stdout).toMatch(/--max-new-tokens <n>[^]*\(default: 10\)/);
  });
});

describe("tinylm without a command", () => {
  it("prints a one-line hint and exits 0 when not on a terminal", async () => {
    const r = await tinylm([], { interactive: false });
    expect(r).toEqual({ code: 0, stdout: NO_TERMINAL_HINT, stderr: "", launched: [] });
    expect(NO_TERMINAL_HINT.trimEnd().split("\n")).toHaveLength(1);
    expect(NO_TERMINAL_HINT).toContain("tinylm generate");
  });

  it("opens the UI on a terminal with the flags the user typed", async () => {
    const r = await tinylm(["--seed", "4", "--context-length", "64", "--positional", "sinusoidal", "--n-heads", "2"], { interactive: true });
    expect(r.code).toBe(0);
    expect(r.launched).toEqual([{ weightsPath: undefined, seed: 4, contextLength: 64, positional: "sinusoidal", nHeads: 2 }]);
  });

  it("passes a weights file on after checking it, and does not open the UI for a broken one", async () => {
    const path = file("ui.safetensors", good);
    const r = await tinylm(["--weights", path], { interactive: true });
    expect(r.launched).toEqual([{ weightsPath: path, seed: 0, contextLength: undefined, positional: undefined, nHeads: undefined }]);
    const broken = await tinylm(["--weights", join(dir, "missing.safetensors")], { interactive: true });
    expect(broken.code).toBe(2);
    expect(broken.launched).toEqual([]);
    expect(broken.stderr).toMatch(/^tinylm: weights: cannot read ".*missing.safetensors" \(ENOENT\)/);
  });
});
