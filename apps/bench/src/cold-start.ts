// Cold start, in fresh processes, interleaved round by round so a ratio compares runs under the same load:
// `node -e 0`; the bundled CLI (`tinylm generate --prompt "the cat sat" --max-new-tokens 50`,
// apps/tui/dist/bundle/cli.js, run from its code cache), the same without the cache (TINYLM_CODE_CACHE=off)
// and the unbundled CLI (apps/tui/dist/cli.js), whole-process wall time; and first-token.ts, which times
// the phases of the same generation from inside the process (import, kernels, model, first token, rest).
//   node dist/cold-start.js [rounds]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { median, quartiles, straddles, type Quartiles } from "./stats.js";

const tui = fileURLToPath(new URL("../../tui/dist/", import.meta.url));
const firstToken = fileURLToPath(new URL("./first-token.js", import.meta.url));
const generate = ["generate", "--prompt", "the cat sat", "--max-new-tokens", "50"];

/** first-token.ts's phases, in order. */
export const PHASES: Record<string, string> = {
  import: "import the library (unbundled ES modules)",
  kernels: "wasm kernels: decode, compile, memory",
  load: "model: read, parse, check, copy to kernel memory",
  first: "first token: cache, prefill of 3 tokens, sampling",
  rest: "the other 28 tokens (decode steps)",
};

export interface ColdStart {
  readonly rounds: number;
  /** Whole-process ms of each command, by label. */
  readonly wallMs: Record<string, Quartiles>;
  /** Each round's bundled-CLI time over that round's `node -e 0`. */
  readonly ratio: Quartiles;
  /** From inside first-token.ts: ms to its first line, then each phase's wall ms, CPU ms and page faults. */
  readonly bootMs: number;
  readonly phases: { readonly name: string; readonly ms: Quartiles; readonly cpuMs: number; readonly faults: number }[];
  readonly firstTokenMs: Quartiles;
  readonly lastTokenMs: Quartiles;
}

export const BUNDLED = "tinylm generate (bundled)";
export const NODE = "node -e 0";

function wall(argv: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

interface Inside {
  boot: number;
  phases: { name: string; ms: number; cpuMs: number; faults: number }[];
  firstTokenMs: number;
  lastTokenMs: number;
}

export function coldStart(rounds: number): ColdStart {
  const noCache = { ...process.env, TINYLM_CODE_CACHE: "off" };
  const commands: [string, string[], NodeJS.ProcessEnv?][] = [
    [NODE, ["-e", "0"]],
    [BUNDLED, [`${tui}bundle/cli.js`, ...generate]],
    ["bundled, no code cache", [`${tui}bundle/cli.js`, ...generate], noCache],
    ...(existsSync(`${tui}cli.js`) ? [["unbundled (ES modules)", [`${tui}cli.js`, ...generate]] as [string, string[]]] : []),
  ];
  const times: Record<string, number[]> = {};
  const inside: Inside[] = [];
  for (let r = 0; r < rounds; r++) {
    // each round starts with a different command, so none always runs first (or right after the heavy one)
    for (let k = 0; k <= commands.length; k++) {
      const i = (k + r) % (commands.length + 1);
      if (i === commands.length) inside.push(JSON.parse(wall([firstToken]).stdout) as Inside);
      else (times[commands[i]![0]] ??= []).push(wall(commands[i]![1], commands[i]![2]).ms);
    }
  }
  const ratios = times[BUNDLED]!.map((ms, r) => ms / times[NODE]![r]!);
  return {
    rounds,
    wallMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, quartiles(v)])),
    ratio: quartiles(ratios),
    bootMs: median(inside.map((x) => x.boot)),
    phases: inside[0]!.phases.map((p, i) => ({
      name: p.name,
      ms: quartiles(inside.map((x) => x.phases[i]!.ms)),
      cpuMs: median(inside.map((x) => x.phases[i]!.cpuMs)),
      faults: median(inside.map((x) => x.phases[i]!.faults)),
    })),
    firstTokenMs: quartiles(inside.map((x) => x.firstTokenMs)),
    lastTokenMs: quartiles(inside.map((x) => x.lastTokenMs)),
  };
}

const q = (x: Quartiles, digits = 1): string => `${x.median.toFixed(digits)} (${x.p25.toFixed(digits)}–${x.p75.toFixed(digits)})`;

/** The report: whole-process times, the ratio, and the phases inside one process. */
export function coldLines(c: ColdStart): string[] {
  const lines = [`cold start (${c.rounds} fresh processes of each, interleaved; median (p25–p75) ms):`];
  for (const [k, v] of Object.entries(c.wallMs)) lines.push(`  ${k.padEnd(30)} ${q(v)}`);
  lines.push(`  ${BUNDLED} / ${NODE}, round by round: ${q(c.ratio, 2)}×${straddles(c.ratio, 1.7) ? " — the rounds disagree about the 1.7× target" : ""}`);
  lines.push(`  inside one process (first-token.js): Node reached it at ${c.bootMs.toFixed(1)} ms; then, median wall ms (p25–p75), CPU ms, page faults:`);
  for (const p of c.phases) lines.push(`    ${(PHASES[p.name] ?? p.name).padEnd(52)} ${q(p.ms).padEnd(20)} ${p.cpuMs.toFixed(1).padStart(6)} ${String(p.faults).padStart(6)}`);
  lines.push(`  first token ${q(c.firstTokenMs)} ms and last ${q(c.lastTokenMs)} ms after the import${straddles(c.firstTokenMs, 60) ? " — the runs disagree about the 60 ms target" : ""}`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of coldLines(coldStart(Number(process.argv[2] ?? 15)))) console.log(line);
}
