import { describe, expect, it } from "vitest";
import { DEFAULT_TOKENS, defaultStrategyLengths, parseBenchArgs, QUICK_TOKENS } from "./args.js";

describe("parseBenchArgs", () => {
  it("defaults to the exercise's sweep: 10, 20, …, 100, 200, …, 1000, 3 repeats, bench-report", () => {
    const o = parseBenchArgs([]);
    expect(DEFAULT_TOKENS).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(o).toMatchObject({ tokens: DEFAULT_TOKENS, repeats: 3, out: "bench-report", contextLength: null, weights: "long", seed: 0, prompt: "the cat sat", quick: false, skipQuality: false, backend: null, from: null });
    expect(parseBenchArgs(["--skip-quality"]).skipQuality).toBe(true);
    expect(o).toMatchObject({ skipSpeculative: false, speculativeTokens: 400, speculativeRounds: 5 });
    expect(parseBenchArgs(["--skip-speculative"]).skipSpeculative).toBe(true);
    expect(parseBenchArgs(["--speculative-tokens", "50", "--speculative-rounds", "2"])).toMatchObject({ speculativeTokens: 50, speculativeRounds: 2 });
  });

  it("--quick is a reduced sweep, still with three repeats (the report needs them to judge the noise)", () => {
    expect(parseBenchArgs(["--quick"])).toMatchObject({ quick: true, tokens: QUICK_TOKENS, repeats: 3, speculativeTokens: 100, speculativeRounds: 3 });
    expect(parseBenchArgs(["--quick", "--repeats", "2", "--tokens", "5,1"])).toMatchObject({ tokens: [1, 5], repeats: 2 });
  });

  it("parses lists sorted and without duplicates, and the numeric options", () => {
    const o = parseBenchArgs(["--tokens", "30,10,30,20", "--context-length", "512", "--strategy-lengths", "20,10", "--window", "16", "--sinks", "0", "--block-size", "8", "--backend", "js"]);
    expect(o).toMatchObject({ tokens: [10, 20, 30], contextLength: 512, strategyLengths: [10, 20], window: 16, sinks: 0, blockSize: 8, backend: "js" });
  });

  it("accepts a leading -- as pnpm passes it", () => {
    expect(parseBenchArgs(["--", "--quick"]).quick).toBe(true);
  });

  it.each([
    [["--tokens", "10,x"], /bench: --tokens must be an integer >= 1; got "x"/],
    [["--tokens", "0"], /--tokens must be an integer >= 1; got "0"/],
    [["--tokens", ","], /--tokens needs at least one number/],
    [["--repeats", "1.5"], /--repeats must be an integer >= 1; got "1.5"/],
    [["--speculative-rounds", "1"], /bench: --speculative-rounds must be an integer >= 2; got "1"/],
    [["--context-length", "20000"], /--context-length must be an integer in \[1, 10000\]; got "20000"/],
    [["--backend", "gpu"], /--backend must be js or wasm; got "gpu"/],
    [["--frobnicate"], /bench: Unknown option '--frobnicate'.*See pnpm bench --help/],
    [["extra"], /bench: .*positional.*See pnpm bench --help/i],
  ])("rejects %j with a message", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});

describe("defaultStrategyLengths", () => {
  it("takes three of the sweep's n values: ~max/10, ~max/2, max", () => {
    expect(defaultStrategyLengths(DEFAULT_TOKENS)).toEqual([100, 500, 1000]);
    expect(defaultStrategyLengths(QUICK_TOKENS)).toEqual([10, 50, 100]);
    expect(defaultStrategyLengths([7])).toEqual([7]);
  });
});

describe("--weights", () => {
  it("is the trained long-context model by default; random (seeded weights) by name or with --context-length alone", () => {
    expect(parseBenchArgs([]).weights).toBe("long");
    expect(parseBenchArgs(["--weights", "random"]).weights).toBeNull();
    expect(parseBenchArgs(["--context-length", "2048"]).weights).toBeNull();
    expect(parseBenchArgs(["--weights", "exercise"]).weights).toBe("exercise");
    expect(parseBenchArgs(["--weights", "m.safetensors"]).weights).toBe("m.safetensors");
  });
});
