// The command line of `pnpm bench`: parsed with node:util parseArgs into a validated BenchOptions.
import { UsageError } from "./errors.js";
import { strictArgs } from "./strict-args.js";

export interface BenchOptions {
  readonly help: boolean;
  readonly quick: boolean;
  readonly skipQuality: boolean; // no strategy-quality section (what each strategy gives up)
  readonly skipSpeculative: boolean; // no speculative-decoding section
  readonly speculativeTokens: number; // greedy tokens per run in the speculative section
  readonly speculativeRounds: number; // its timed rounds (>= 2: their spread tells a result from noise)
  readonly tokens: number[]; // ascending, unique
  readonly repeats: number;
  readonly out: string;
  readonly contextLength: number | null; // null: 1024, or the weights file's
  readonly weights: string | null;
  readonly seed: number;
  readonly prompt: string;
  readonly strategyLengths: number[] | null; // null: chosen from tokens
  readonly from: string | null; // rebuild the report from this results.json instead of measuring
  readonly backend: "js" | "wasm" | null; // null: @tinylm/tensor's choice (wasm when it loads)
  readonly window?: number;
  readonly sinks?: number;
  readonly blockSize?: number;
}

/** The exercise's list: 10, 20, …, 100, 200, …, 1000. */
export const DEFAULT_TOKENS = [...Array.from({ length: 10 }, (_, i) => 10 * (i + 1)), ...Array.from({ length: 9 }, (_, i) => 200 + 100 * i)];
export const QUICK_TOKENS = [10, 20, 50, 100];
/** The speculative section's tokens per run and rounds: full, and with --quick. */
export const SPECULATIVE_DEFAULTS = { tokens: 400, rounds: 5 } as const;
export const SPECULATIVE_QUICK = { tokens: 100, rounds: 3 } as const;

export const USAGE = `Usage: pnpm bench [options]

Measures generation time with and without the KV cache, and writes a self-contained HTML report.

Options:
  --quick                   a reduced sweep (n = ${QUICK_TOKENS.join(", ")}) that runs in seconds, and a reduced
                            strategy-quality and speculative measurement
  --skip-quality            leave out the section on what each cache strategy gives up (about a minute
                            with the long model; tinylm eval measures the same)
  --skip-speculative        leave out the section on speculative decoding (the trained long model drafted
                            by the trained draft model, k = 1…8; about ten seconds)
  --speculative-tokens N    greedy tokens per run in that section (default: ${SPECULATIVE_DEFAULTS.tokens}; --quick: ${SPECULATIVE_QUICK.tokens})
  --speculative-rounds N    its timed rounds, each k beside a plain run, at least 2 (default: ${SPECULATIVE_DEFAULTS.rounds}; --quick: ${SPECULATIVE_QUICK.rounds})
  --tokens LIST             numbers of generated tokens, comma-separated (default: ${DEFAULT_TOKENS.slice(0, 2).join(", ")}, …, 100, 200, …, 1000)
  --repeats N               runs per point; the fastest is kept, the slowest is the error bar, and
                            repeats that disagree are reported (default: 3)
  --out DIR                 where index.html and results.json go (default: bench-report)
  --context-length N        the model's context length; must fit prompt + largest n (default: 1024)
  --weights FILE|NAME       a .safetensors file, a trained model (exercise, long, draft), or random for seeded
                            weights (default: long, the trained long-context model; random with --context-length)
  --seed N                  seed of the random weights (default: 0)
  --prompt TEXT             the prompt, in the 20-word vocabulary (default: "the cat sat")
  --strategy-lengths LIST   lengths at which every cache strategy is measured (default: three of --tokens)
  --backend js|wasm         the tensor kernels (default: wasm when it loads, as TINYLM_BACKEND decides)
  --window N, --sinks N, --block-size N   options of the window and paged strategies (default: theirs)
  --from FILE               rebuild the report from a results.json without measuring
  -h, --help                this text

The full sweep takes minutes: without the cache the work grows as n³.`;

/** --weights: a file or a bundled model's name; null (seeded random weights) for "random" or with --context-length alone. */
function benchWeights(weights: string | undefined, contextLength: string | undefined): string | null {
  if (weights === "random") return null;
  return weights ?? (contextLength === undefined ? "long" : null);
}

function int(option: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new UsageError(`bench: --${option} must be ${range}; got "${text}"`, option);
  }
  return v;
}

function list(option: string, text: string): number[] {
  const parts = text.split(",").filter((s) => s.trim() !== "");
  if (parts.length === 0) throw new UsageError(`bench: --${option} needs at least one number; got "${text}". Example: --${option} 10,20,50`, option);
  return [...new Set(parts.map((s) => int(option, s, 1)))].sort((a, b) => a - b);
}

function backendOf(text: string | undefined): "js" | "wasm" | null {
  if (text === undefined) return null;
  if (text === "js" || text === "wasm") return text;
  throw new UsageError(`bench: --backend must be js or wasm; got "${text}"`, "backend");
}

/** Parses argv (without node and the script). Throws UsageError for anything it cannot use. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const values = strictArgs(argv, {
    help: { type: "boolean", short: "h" },
    quick: { type: "boolean" },
    "skip-quality": { type: "boolean" },
    "skip-speculative": { type: "boolean" },
    "speculative-tokens": { type: "string" },
    "speculative-rounds": { type: "string" },
    tokens: { type: "string" },
    repeats: { type: "string" },
    out: { type: "string" },
    "context-length": { type: "string" },
    weights: { type: "string" },
    seed: { type: "string" },
    prompt: { type: "string" },
    "strategy-lengths": { type: "string" },
    window: { type: "string" },
    sinks: { type: "string" },
    "block-size": { type: "string" },
    backend: { type: "string" },
    from: { type: "string" },
  }, "bench", "pnpm bench --help");
  const str = (k: string) => values[k] as string | undefined;
  const quick = values.quick === true;
  const optional = (k: string, min: number) => (str(k) === undefined ? {} : { [k === "block-size" ? "blockSize" : k]: int(k, str(k)!, min) });
  return {
    help: values.help === true,
    quick,
    skipQuality: values["skip-quality"] === true,
    skipSpeculative: values["skip-speculative"] === true,
    speculativeTokens: str("speculative-tokens") !== undefined ? int("speculative-tokens", str("speculative-tokens")!, 1) : (quick ? SPECULATIVE_QUICK : SPECULATIVE_DEFAULTS).tokens,
    speculativeRounds: str("speculative-rounds") !== undefined ? int("speculative-rounds", str("speculative-rounds")!, 2) : (quick ? SPECULATIVE_QUICK : SPECULATIVE_DEFAULTS).rounds,
    tokens: str("tokens") !== undefined ? list("tokens", str("tokens")!) : quick ? QUICK_TOKENS : DEFAULT_TOKENS,
    repeats: str("repeats") !== undefined ? int("repeats", str("repeats")!, 1) : 3,
    out: str("out") ?? "bench-report",
    contextLength: str("context-length") !== undefined ? int("context-length", str("context-length")!, 1, 10_000) : null,
    weights: benchWeights(str("weights"), str("context-length")),
    seed: str("seed") !== undefined ? int("seed", str("seed")!, 0) : 0,
    prompt: str("prompt") ?? "the cat sat",
    backend: backendOf(str("backend")),
    from: str("from") ?? null,
    strategyLengths: str("strategy-lengths") !== undefined ? list("strategy-lengths", str("strategy-lengths")!) : null,
    ...optional("window", 1),
    ...optional("sinks", 0),
    ...optional("block-size", 1),
  };
}

/**
 * Three lengths for the strategy comparison, taken from the sweep's n: the first >= max/10, the first
 * >= max/2, and max. defaultStrategyLengths([10, 20, …, 1000]) -> [100, 500, 1000]
 */
export function defaultStrategyLengths(tokens: readonly number[]): number[] {
  const max = tokens[tokens.length - 1]!;
  const pick = (x: number) => tokens.find((n) => n >= x) ?? max;
  return [...new Set([pick(max / 10), pick(max / 2), max])];
}
