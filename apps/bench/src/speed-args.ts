// The command line of the speed script (`pnpm --filter @tinylm/bench run speed`), parsed strictly: an
// unknown flag or a bad count is a UsageError, not minutes of measuring something else.
import { UsageError } from "./errors.js";
import { strictArgs } from "./strict-args.js";

export interface SpeedOptions {
  readonly help: boolean;
  readonly quick: boolean;
  /** Interleaved rounds of every case (default 7; --quick 3). */
  readonly rounds: number;
  readonly skipSweep: boolean;
  readonly skipCold: boolean;
  /** The script's own child process: heap and memory only. */
  readonly memory: boolean;
}

export const SPEED_USAGE = `Usage: node dist/speed.js [options]

Measures the speed targets (cached decode, prefill, the sweeps, heap, memory, cold start) in every
variant, interleaved round by round, and prints each target with its ratio and status.

Options:
  --quick        3 rounds and shorter runs (minutes instead of ~5)
  --rounds N     interleaved rounds of every case (default: 7; --quick: 3)
  --skip-sweep   leave out the no-cache sweep (the longest case)
  --skip-cold    leave out the cold-start processes
  -h, --help     this text`;

/** Parses argv (without node and the script). Throws UsageError for anything it cannot use. */
export function parseSpeedArgs(argv: readonly string[]): SpeedOptions {
  const values = strictArgs(argv, {
    help: { type: "boolean", short: "h" },
    quick: { type: "boolean" },
    rounds: { type: "string" },
    "skip-sweep": { type: "boolean" },
    "skip-cold": { type: "boolean" },
    memory: { type: "boolean" },
  }, "speed", "node dist/speed.js --help");
  const quick = values.quick === true;
  const text = values.rounds as string | undefined;
  let rounds = quick ? 3 : 7;
  if (text !== undefined) {
    rounds = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(rounds) || rounds < 1 || rounds > 1000) {
      throw new UsageError(`speed: --rounds must be an integer in [1, 1000]; got "${text}"`, "rounds");
    }
  }
  return {
    help: values.help === true,
    quick,
    rounds,
    skipSweep: values["skip-sweep"] === true,
    skipCold: values["skip-cold"] === true,
    memory: values.memory === true,
  };
}
