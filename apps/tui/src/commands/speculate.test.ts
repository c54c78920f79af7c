import { describe, expect, it } from "vitest";
import { generateSync } from "@tinylm/model";
import { loadBundledModel } from "@tinylm/model/node";
import type { TuiOptions } from "../ui/run.js";
import { memoryIo } from "./io.js";
import { main } from "./program.js";

async function tinylm(args: string[]) {
  const io = memoryIo();
  const code = await main(args, io, { launchTui: async (_: TuiOptions) => {} });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("tinylm generate --draft --speculate", () => {
  it("gives the model's own greedy tokens with the trained draft, and reports the acceptance in --json", async () => {
    const r = await tinylm(["generate", "--weights", "long", "--draft", "draft", "--speculate", "3", "--prompt", "the cat sat on the mat and", "--max-new-tokens", "60", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ids).toEqual(generateSync(loadBundledModel("long"), "the cat sat on the mat and", { maxNewTokens: 60 }).ids);
    expect(out.speculate).toBe(3);
    expect(out.accepted).toBeLessThanOrEqual(out.proposed);
    expect(out.acceptance_rate).toBeCloseTo(out.accepted / out.proposed, 12);
  }, 60_000);

  it.each([
    [["--weights", "long", "--draft", "exercise"], /^tinylm: generate: --draft exercise has vocab_size 20, context_length 32, learned positions; the model has vocab_size 20, context_length 1024, sinusoidal positions; a draft must match all three\n$/],
    [["--speculate", "3"], /^tinylm: generate: --speculate needs --draft FILE/],
    [["--weights", "long", "--draft", "draft", "--speculate", "1024"], /^tinylm: generate: --speculate 1024 is beyond the context \(context_length 1024\); give --speculate from 1 to 1023\n$/],
    [["--weights", "long", "--draft", "draft", "--speculate", "0"], /^tinylm: option '--speculate <k>' argument '0' is invalid/],
    [["--weights", "long", "--draft", "draft", "--cache", "sinks"], /^tinylm: generate: --draft needs a cache that rolls back rejected tokens: --cache full, paged, int8; got --cache sinks\n$/],
  ])("refuses %j in one line with exit 2", async (flags, message) => {
    const r = await tinylm(["generate", "--prompt", "the cat", ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  }, 60_000);
});

describe("tinylm generate --num-samples", () => {
  it("prints n samples, each the run alone with its seed, sharing the prompt's paged blocks (fewer bytes than n caches)", async () => {
    const args = ["generate", "--weights", "long", "--prompt", "the cat sat on the mat and the dog runs in the house and a big", "--max-new-tokens", "12", "--temperature", "1", "--sample-seed", "5"];
    const r = await tinylm([...args, "--num-samples", "8", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.samples).toHaveLength(8);
    for (const [i, s] of out.samples.entries()) {
      expect(s.seed).toBe(5 + i);
      const alone = JSON.parse((await tinylm([...args.slice(0, -1), String(5 + i), "--cache", "paged", "--json"])).stdout);
      expect(s.ids).toEqual(alone.ids);
    }
    expect(out.kv_bytes_shared).toBeLessThan(out.kv_bytes_separate);
    expect(out.blocks_in_use_after).toBe(0);
  }, 120_000);

  it.each([
    [["--num-samples", "2", "--cache", "full"], /^tinylm: generate: --num-samples shares the prompt's blocks of --cache paged; got --cache full/],
    [["--cache-budget", "1000"], /^tinylm: generate: --cache-budget applies to --num-samples/],
    [["--num-samples", "8", "--cache-budget", "1000"], /^tinylm: generate: --num-samples 8 needs up to \d+ bytes of KV blocks \(10 tokens each, blocks of 16\), more than --cache-budget 1000 bytes; at most 0 fit\n$/],
  ])("refuses %j in one line with exit 2", async (flags, message) => {
    const r = await tinylm(["generate", "--prompt", "the cat", ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  }, 60_000);
});
