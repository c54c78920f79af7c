// The command line of `pnpm bench`: parsed with node:util parseArgs into a validated BenchOptions.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

export interface BenchOptions {
  readonly help: boolean;
  readonly quick: boolean;
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

export const USAGE = `Usage: pnpm bench [options]

Measures generation time with and without the KV cache, and writes a self-contained HTML report.

Options:
  --quick                   a reduced sweep (n = ${QUICK_TOKENS.join(", ")}) that runs in seconds
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
  const args = argv[0] === "--" ? argv.slice(1) : [...argv]; // `pnpm bench -- --quick` passes the "--" through
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        quick: { type: "boolean" },
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
      },
    }));
  } catch (e) {
    throw new UsageError(`bench: ${(e as Error).message.split("\n")[0]}. See pnpm bench --help`);
  }
  const str = (k: string) => values[k] as string | undefined;
  const quick = values.quick === true;
  const optional = (k: string, min: number) => (str(k) === undefined ? {} : { [k === "block-size" ? "blockSize" : k]: int(k, str(k)!, min) });
  return {
    help: values.help === true,
    quick,
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
