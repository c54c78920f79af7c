// Cold start, in fresh processes, interleaved round by round so the ratios compare runs under the same
// load: `node -e 0`; the bundled CLI (`tinylm generate --prompt "the cat sat" --max-new-tokens 50`,
// apps/tui/dist/bundle/cli.js) and the unbundled one (apps/tui/dist/cli.js), whole-process wall time; and
// first-token.ts, which times importing the library and the first token from inside the process.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const tui = fileURLToPath(new URL("../../tui/dist/", import.meta.url));
const firstToken = fileURLToPath(new URL("./first-token.js", import.meta.url));
const generate = ["generate", "--prompt", "the cat sat", "--max-new-tokens", "50"];

export interface ColdStart {
  /** Median whole-process ms of each command, by label. */
  readonly wallMs: Record<string, number>;
  /** Medians from inside first-token.ts: boot (process start to its first line), import, first token after import. */
  readonly bootMs: number;
  readonly importMs: number;
  readonly firstTokenMs: number;
  readonly lastTokenMs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function wall(argv: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export function coldStart(rounds: number): ColdStart {
  const commands: [string, string[]][] = [
    ["node -e 0", ["-e", "0"]],
    ["tinylm generate (bundled)", [`${tui}bundle/cli.js`, ...generate]],
    ...(existsSync(`${tui}cli.js`) ? [["tinylm generate (unbundled)", [`${tui}cli.js`, ...generate]] as [string, string[]]] : []),
  ];
  const times: Record<string, number[]> = {};
  const inside: { boot: number; importMs: number; firstTokenMs: number; lastTokenMs: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [label, argv] of commands) (times[label] ??= []).push(wall(argv).ms);
    inside.push(JSON.parse(wall([firstToken]).stdout));
  }
  const wallMs = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  return {
    wallMs,
    bootMs: median(inside.map((x) => x.boot)),
    importMs: median(inside.map((x) => x.importMs)),
    firstTokenMs: median(inside.map((x) => x.firstTokenMs)),
    lastTokenMs: median(inside.map((x) => x.lastTokenMs)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 15);
  const c = coldStart(rounds);
  for (const [k, v] of Object.entries(c.wallMs)) console.log(`${k.padEnd(30)} ${v.toFixed(1)} ms (median of ${rounds})`);
  console.log(`inside first-token.js: boot ${c.bootMs.toFixed(1)} ms, import ${c.importMs.toFixed(1)} ms, first token ${c.firstTokenMs.toFixed(1)} ms and last ${c.lastTokenMs.toFixed(1)} ms after import`);
}
