// `tinylm eval`: the table and the JSON, one-line errors for strategies that cannot work, and an
// interrupted run that prints what finished and ends with exit status 130.
import { describe, expect, it } from "vitest";
import { main } from "./program.js";
import { outcomeOf } from "./errors.js";
import { runEval } from "./eval.js";
import { memoryIo } from "./io.js";

const noTui = { debug: false, launchTui: async () => {} };

describe("tinylm eval", () => {
  it("prints one JSON object with every strategy asked for, full, paged and none exact", async () => {
    const io = memoryIo();
    await runEval({ weights: "random", strategies: "none,full,paged,sliding-window:4", texts: 1, json: true }, io);
    const out = JSON.parse(io.stdout());
    expect(out.complete).toBe(true);
    expect(out.strategies.map((s: { label: string }) => s.label)).toEqual(["none", "full", "paged", "sliding-window:4"]);
    const [none, full, paged, window] = out.strategies;
    expect(paged.perplexity).toBe(full.perplexity);
    expect(none.perplexity).toBe(full.perplexity);
    expect(window.mean_kl).toBeGreaterThan(0);
    expect(out.attention_mass.model).toHaveLength(3);
    expect(io.stderr()).toBe(""); // progress only on a terminal
  });

  it.each([
    ["sinks:8:8", "tinylm: config: sinks must be an integer in [1, 7] (leading positions kept: fewer than the window 8, and window + sinks at most the context 32); got \"8\"\n"],
    ["sliding-window:64", "tinylm: config: window must be an integer in [1, 32] (positions kept, at most the context 32); got \"64\"\n"],
    ["lru", "tinylm: config: strategy is not a cache strategy (choose from: none, full, paged[:B], int8[:token|channel], sliding-window:W[:cache], sinks:W:S[:cache]; the kinds are none, full, paged, sliding-window, sinks, int8); got \"lru\"\n"],
  ])("refuses --strategies %s: one line, exit 2", async (spec, message) => {
    const io = memoryIo();
    expect(await main(["eval", "--weights", "random", "--strategies", spec], io, noTui)).toBe(2);
    expect(io.stderr()).toBe(message);
    expect(io.stdout()).toBe("");
  });

  it("when interrupted, prints the strategies that finished and ends with exit status 130", async () => {
    const io = memoryIo();
    const controller = new AbortController();
    const run = runEval({ weights: "random", strategies: "full,int8,paged", texts: 1 }, io, controller.signal);
    controller.abort(); // as Ctrl+C does: the evaluation sees it at its first pause between units of work
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    const outcome = outcomeOf(error);
    expect(outcome.exitCode).toBe(130);
    expect(outcome.stderr).toBe("tinylm: interrupted: 0 of 3 strategies finished (printed above)\n");
    expect(io.stdout()).toMatch(/^tinylm eval — weights random/);
  });
});
