import { describe, expect, it } from "vitest";
import { encode, generateSync, makeConfig, TinyLM } from "@tinylm/model";
import type { TuiOptions } from "../ui/run.js";
import { memoryIo } from "./io.js";
import { main } from "./program.js";

async function chat(args: string[], stdin: string) {
  const io = memoryIo({ stdin });
  const code = await main(["chat", ...args], io, { launchTui: async (_: TuiOptions) => {} });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("tinylm chat", () => {
  it("continues one transcript line by line, reusing the cache, with the tokens of a fresh run on the whole transcript", async () => {
    const r = await chat(["--context-length", "64", "--max-new-tokens", "4", "--json"], "the cat\n\nsat on the\r\nmat\n");
    expect(r.code).toBe(0);
    const turns = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(turns).toHaveLength(3);
    const model = TinyLM.init(makeConfig({ contextLength: 64 }), { seed: 0 });
    let transcript: number[] = [];
    for (const [i, line] of ["the cat", "sat on the", "mat"].entries()) {
      const prompt = [...transcript, ...encode(line)];
      const want = generateSync(model, prompt, { maxNewTokens: 4 });
      expect(turns[i].ids).toEqual(want.ids);
      expect(turns[i].prompt_positions).toBe(prompt.length);
      expect(turns[i].reused_positions).toBe(i === 0 ? 0 : transcript.length - 1);
      expect(turns[i].first_token_ms).toBeGreaterThan(0);
      expect(turns[i].first_token_ms_without_reuse).toBeGreaterThan(0);
      transcript = [...prompt, ...want.ids];
    }
  }, 60_000);

  it("prints the continuation on stdout and 'reused N of M positions' with the first-token times on stderr", async () => {
    const r = await chat(["--max-new-tokens", "3"], "the cat\nsat\n");
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(2);
    const status = r.stderr.trimEnd().split("\n");
    expect(status[0]).toMatch(/^tinylm: reused 0 of 2 positions; first token in [\d.]+ ms \([\d.]+ ms without reuse\)$/);
    expect(status[1]).toMatch(/^tinylm: reused 4 of 6 positions; /);
  }, 60_000);

  it("reports a refused line in one line, answers the others, and exits 2", async () => {
    const r = await chat([], "the cat\nzebra\nthe dog\n");
    expect(r.code).toBe(2);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/tinylm: vocab: unknown word "zebra"/);
    expect(r.stderr).toMatch(/tinylm: chat: 1 line was refused \(see above\); the others were answered\n$/);
  }, 60_000);

  it("starts a new transcript when the conversation would pass the context", async () => {
    const r = await chat(["--context-length", "8", "--max-new-tokens", "3", "--json"], "the cat sat\nthe dog\nthe mat is\n");
    expect(r.code).toBe(0);
    const turns = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(turns.map((t) => t.prompt_positions)).toEqual([3, 8, 3]);
    expect(r.stderr).toMatch(/the conversation reached its limit of 8 positions; starting a new one with this line/);
  }, 60_000);

  it("refuses a cache flag for the wrong strategy with exit 2", async () => {
    const r = await chat(["--window", "4"], "the cat\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("tinylm: chat: --window applies to --cache sliding-window or sinks; got --cache full\n");
  });
});
