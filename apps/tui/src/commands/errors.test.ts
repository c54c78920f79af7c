import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { ConfigError, ContextError, VocabularyError, WeightsError } from "@tinylm/model";
import { outcomeOf, UsageError } from "./errors.js";

describe("outcomeOf", () => {
  it.each([
    ["UsageError", new UsageError("generate: no prompt")],
    ["ConfigError", new ConfigError("n_heads", 5, "must divide d_model=64 evenly")],
    ["VocabularyError", new VocabularyError('vocab: unknown word "cow"')],
    ["WeightsError", new WeightsError("safetensors: file is truncated")],
    ["ContextError", new ContextError("generate: the prompt has 40 tokens", 40, 32)],
  ])("maps a %s to exit status 2 and its message on one line", (_, error) => {
    expect(outcomeOf(error)).toEqual({ exitCode: 2, stderr: `tinylm: ${error.message}\n` });
  });

  it("joins commander's two-line messages into one and drops its 'error: ' prefix", () => {
    const error = new CommanderError(1, "commander.unknownOption", "error: unknown option '--promt'\n(Did you mean --prompt?)");
    expect(outcomeOf(error)).toEqual({ exitCode: 2, stderr: "tinylm: unknown option '--promt' (Did you mean --prompt?)\n" });
  });

  it("ends --help quietly with status 0", () => {
    expect(outcomeOf(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"))).toEqual({ exitCode: 0, stderr: "" });
  });

  it("treats anything else as an internal error, status 1, with the stack only when debugging", () => {
    const error = new TypeError("x is undefined");
    const quiet = outcomeOf(error);
    expect(quiet.exitCode).toBe(1);
    expect(quiet.stderr).toBe("tinylm: internal error: x is undefined (run with TINYLM_DEBUG=1 for the stack trace)\n");
    const loud = outcomeOf(error, true);
    expect(loud.stderr).toContain("tinylm: internal error: x is undefined\nTypeError: x is undefined\n    at ");
  });
});
