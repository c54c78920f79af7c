import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText, decode, generateSync, makeConfig, TinyLM } from "@tinylm/model";
import { loadBundledModel, saveModel } from "@tinylm/model/node";
import { ms, runGenerate, type GenerateCommandOptions } from "./generate.js";
import { main } from "./program.js";
import { memoryIo } from "./io.js";

/** Runs the command with --json and returns the parsed object (checking stdout holds exactly one). */
function generateJson(options: GenerateCommandOptions, io = memoryIo()): Record<string, any> {
  runGenerate({ ...options, json: true }, io);
  expect(io.stdout().endsWith("\n")).toBe(true);
  expect(io.stdout().trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(io.stdout());
}

describe("runGenerate", () => {
  it("gives the same ids as the library for the same seeded model", () => {
    const want = generateSync(TinyLM.init(makeConfig(), { seed: 7 }), "the cat sat", { maxNewTokens: 10 }).ids;
    expect(generateJson({ prompt: "the cat sat", seed: 7, weights: "random" }).ids).toEqual(want);
    expect(generateJson({ prompt: "the cat sat", seed: 8, weights: "random" }).ids).not.toEqual(want); // the seed reaches the weights
  });

  it("gives the library's ids for a weights file, with and without the cache", () => {
    const model = TinyLM.init(makeConfig({ contextLength: 64 }), { seed: 3, std: 0.3, perturb: 0.2 });
    const path = join(mkdtempSync(join(tmpdir(), "tinylm-gen-")), "m.safetensors");
    saveModel(path, model);
    const want = generateSync(model, "a dog runs", { maxNewTokens: 20 }).ids;
    for (const cache of ["full", "none"]) {
      const json = generateJson({ prompt: "a dog runs", weights: path, maxNewTokens: 20, cache });
      expect(json.ids).toEqual(want);
      expect(json.cache).toBe(cache);
      expect(json.config.context_length).toBe(64);
    }
  });

  it("prints only the continuation without --json", () => {
    const io = memoryIo();
    const result = runGenerate({ prompt: "The  cat sat", maxNewTokens: 4 }, io);
    expect(io.stdout()).toBe(`${result.text.split(" ").slice(3).join(" ")}\n`);
    expect(io.stdout().split(" ")).toHaveLength(4);
    expect(io.stderr()).toBe(""); // notes and progress only go to a terminal
  });

  it("puts every documented key in the --json object", () => {
    const json = generateJson({ prompt: "the cat sat", maxNewTokens: 5 });
    expect(Object.keys(json)).toEqual(expect.arrayContaining([
      "prompt_ids", "ids", "text", "prefill_ms", "ms_per_token", "total_ms", "stop_reason", "stop_message", "cache", "cache_bytes", "config",
    ]));
    expect(json.prompt_ids).toEqual([0, 1, 3]);
    expect(json.ids).toHaveLength(5);
    expect(json.text.split(" ")).toHaveLength(8);
    expect(json.stop_reason).toBe("max_new_tokens");
    expect(json.decode_steps).toBe(4); // prefill apart: ms_per_token is the median of the 4 later steps
    expect(json.prefill_ms).toBeGreaterThan(0);
    expect(json.ms_per_token).toBeGreaterThan(0);
    expect(json.total_ms).toBeGreaterThanOrEqual(json.prefill_ms);
    expect(json.cache_bytes.allocated).toBeGreaterThanOrEqual(json.cache_bytes.used);
    expect(json.cache_bytes.used).toBeGreaterThan(0);
    expect(json.config).toEqual({ vocab_size: 20, d_model: 64, n_layers: 3, n_heads: 1, d_ff: 128, context_length: 32, positional: "learned", norm_eps: 1e-5 });
  });

  it("samples with --sample-seed, or with --seed when it is absent", () => {
    const model = TinyLM.init(makeConfig(), { seed: 2 });
    const sampled = (seed: number) => generateSync(model, "the", { maxNewTokens: 12, sampling: { temperature: 1.5, topK: 10, seed } }).ids;
    expect(generateJson({ prompt: "the", seed: 2, weights: "random", maxNewTokens: 12, temperature: 1.5, topK: 10, sampleSeed: 99 }).ids).toEqual(sampled(99));
    const json = generateJson({ prompt: "the", seed: 2, weights: "random", maxNewTokens: 12, temperature: 1.5, topK: 10 });
    expect(json.ids).toEqual(sampled(2));
    expect(json.sampling).toEqual({ temperature: 1.5, top_k: 10, top_p: null, seed: 2 });
    expect(sampled(99)).not.toEqual(sampled(2));
  });

  it("reads the prompt from a file or from stdin", () => {
    const path = join(mkdtempSync(join(tmpdir(), "tinylm-gen-")), "prompt.txt");
    writeFileSync(path, "the cat\nsat on\n");
    expect(generateJson({ promptFile: path }).prompt_ids).toEqual([0, 1, 3, 4]);
    expect(generateJson({ promptFile: "-" }, memoryIo({ stdin: "a big dog" })).prompt_ids).toEqual([6, 14, 2]);
  });

  it("counts a prompt past 1 MB on its first 1,000,000 bytes only, from stdin or a file", () => {
    const long = "the cat sat ".repeat(200_000); // 2.4 MB, 600,000 tokens
    expect(() => runGenerate({ promptFile: "-" }, memoryIo({ stdin: long }))).toThrow(/^generate: the prompt has at least 250,000 tokens in its first 1,000,000 bytes, more than the 32 that fit \(context_length 32\)/);
    const path = join(mkdtempSync(join(tmpdir(), "tinylm-gen-")), "p.txt");
    writeFileSync(path, long);
    expect(() => runGenerate({ promptFile: path, positional: "sinusoidal", cache: "sliding-window" }, memoryIo())).toThrow(/^generate: the prompt is longer than 1,000,000 bytes \(2,400,000 bytes\), the most tinylm reads/);
    writeFileSync(path, "the cat ".repeat(100));
    expect(generateJson({ promptFile: path, maxNewTokens: 0, contextLength: 200 }).prompt_ids).toHaveLength(200);
  });

  it("notes an early stop at the context limit on stderr, and still succeeds", () => {
    const io = memoryIo();
    const json = generateJson({ prompt: "the cat sat", maxNewTokens: 100 }, io);
    expect(json.ids).toHaveLength(29);
    expect(json.stop_reason).toBe("context");
    expect(io.stderr()).toBe(`tinylm: ${json.stop_message}\n`);
    expect(io.stderr()).toMatch(/^tinylm: stopped after 29 tokens: the sequence reached its limit of 32 positions/);
  });

  it("shows timing and a progress line on a terminal's stderr, and erases the progress line", () => {
    const io = memoryIo({ errIsTTY: true });
    runGenerate({ prompt: "the", maxNewTokens: 3 }, io);
    expect(io.stderr()).toMatch(/^tinylm: 3 tokens with cache "full" in [\d.]+ ms: prefill [\d.]+ ms, then [\d.]+ ms per token \(median\); cache [\d,]+ bytes allocated, [\d,]+ used\n$/);
  });

  it.each([
    [{ prompt: "the", promptFile: "-" }, "generate: give --prompt or --prompt-file, not both"],
    [{}, 'generate: no prompt; give --prompt "the cat sat" or --prompt-file FILE (- reads stdin)'],
    [{ promptFile: "/nonexistent/prompt.txt" }, 'generate: cannot read --prompt-file "/nonexistent/prompt.txt" (ENOENT)'],
    [{ prompt: "the", window: 4 }, "generate: --window applies to --cache sliding-window or sinks; got --cache full"],
    [{ prompt: "the", cache: "none", blockSize: 4 }, "generate: --block-size applies to --cache paged; got --cache none"],
  ] as [GenerateCommandOptions, string][])("refuses %j: %s", (options, message) => {
    expect(() => runGenerate(options, memoryIo())).toThrow(message);
  });
});

describe("runGenerate's cache settings and durations", () => {
  it("refuses a window larger than the context, naming the valid range", async () => {
    expect(() => runGenerate({ prompt: "the cat", cache: "sliding-window", window: 64 }, memoryIo())).toThrow(
      "generate: --window 64 is larger than the context length 32; give --window from 1 to 32",
    );
    const io = memoryIo();
    expect(await main(["generate", "--prompt", "the", "--cache", "sinks", "--window", "33"], io, { launchTui: async () => {} })).toBe(2);
    expect(io.stderr()).toBe("tinylm: generate: --window 33 is larger than the context length 32; give --window from 1 to 32\n");
  });

  it.each([
    ["full", {}, {}],
    ["sliding-window", {}, { window: 16 }],
    ["sinks", { window: 8 }, { window: 8, sinks: 4 }],
    ["paged", { blockSize: 4 }, { block_size: 4 }],
    ["paged", {}, { block_size: 16 }],
  ] as const)("--json with --cache %s %j reports the strategy's settings %j", (cache, flags, settings) => {
    expect(generateJson({ prompt: "the cat", cache, ...flags }).cache_settings).toEqual(settings);
  });

  it.each([
    [0.0421, "0.04 ms"], [812.3, "812.30 ms"], [4_999, "4999.00 ms"], [12_345, "12.3 s"], [185_000, "3 min 5 s"],
  ])("prints %d ms as %s", (x, text) => expect(ms(x)).toBe(text));
});

describe("runGenerate with the trained model", () => {
  it("uses the bundled exercise model by default, and the seeded random one with --weights random", () => {
    const want = generateSync(loadBundledModel("exercise"), "the cat", { maxNewTokens: 12 }).ids;
    const json = generateJson({ prompt: "the cat", maxNewTokens: 12 });
    expect(json.ids).toEqual(want);
    expect(json.weights).toBe("exercise");
    const random = generateJson({ prompt: "the cat", maxNewTokens: 12, weights: "random" });
    expect(random.ids).toEqual(generateSync(TinyLM.init(makeConfig(), { seed: 0 }), "the cat", { maxNewTokens: 12 }).ids);
    expect(random.weights).toBe("random");
    expect(generateJson({ prompt: "the cat", maxNewTokens: 3, weights: "long" }).config.positional).toBe("sinusoidal");
  });

  it("builds a random model when a shape flag is given without --weights", () => {
    const json = generateJson({ prompt: "the cat", maxNewTokens: 3, contextLength: 64 });
    expect(json.weights).toBe("random");
    expect(json.config.context_length).toBe(64);
  });

  it("reports the grammatical continuation rate and the first word that breaks the grammar", () => {
    for (const weights of ["exercise", "random"]) {
      const json = generateJson({ prompt: "the cat", maxNewTokens: 20, weights });
      const check = checkText([...json.prompt_ids, ...json.ids], json.prompt_ids.length);
      expect(json.grammar.continuation_rate).toBe(check.rate);
      expect(json.grammar.prompt_grammatical).toBe(true);
      const at = check.firstError === null ? null : check.firstError - json.prompt_ids.length;
      expect(json.grammar.first_error).toEqual(at === null ? null : { index: at, word: decode([json.ids[at]]) });
    }
    // a prompt the grammar rejects still generates; the checker only reports
    const broken = generateJson({ prompt: "cat the", maxNewTokens: 5 });
    expect(broken.ids).toHaveLength(5);
    expect(broken.grammar.prompt_grammatical).toBe(false);
  });
});
