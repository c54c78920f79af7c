import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { parseSpeedArgs } from "./speed-args.js";

describe("parseSpeedArgs", () => {
  it("defaults, --quick and the flags", () => {
    expect(parseSpeedArgs([])).toEqual({ help: false, quick: false, rounds: 7, skipSweep: false, skipCold: false, memory: false });
    expect(parseSpeedArgs(["--quick"]).rounds).toBe(3);
    expect(parseSpeedArgs(["--", "--quick", "--rounds", "5", "--skip-sweep", "--skip-cold"])).toEqual({
      help: false, quick: true, rounds: 5, skipSweep: true, skipCold: true, memory: false,
    });
    expect(parseSpeedArgs(["-h"]).help).toBe(true);
  });

  it.each([
    [["--hlep"], /speed: Unknown option '--hlep'\. See node dist\/speed\.js --help/],
    [["--rounds", "0"], /--rounds must be an integer in \[1, 1000\]; got "0"/],
    [["--rounds", "2.5"], /--rounds must be an integer/],
    [["--rounds"], /speed: Option '--rounds <value>' argument missing/],
    [["fast"], /speed: Unexpected argument 'fast'/],
  ])("rejects %j with a one-line UsageError", (argv, message) => {
    let error: unknown;
    try {
      parseSpeedArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });
});
