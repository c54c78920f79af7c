// `pnpm --filter @tinylm/bench run forward`: two numbers, printed (never asserted):
// one forward over T = 32 tokens at the default config, and the time per token of a 29-token greedy
// generation from "the cat sat" (prompt 3 + 29 = the 32-position context), with and without the cache;
// and a 1-token generation (n = 1: the prefill alone) with each, at context 32 and 10,000 — where the cache
// can only cost, never save, so `full` should match `none` (even at n = 1).
//   node dist/forward.js [--backend wasm|js|both] [--runs N]
import { TinyLM, generateSync, makeConfig } from "@tinylm/model";
import { backendInfo, setBackend, type BackendName } from "@tinylm/tensor";
import { median } from "./stats.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] ?? fallback : fallback);
const which = flag("--backend", "both");
const runs = Number(flag("--runs", "200"));
const backends: BackendName[] = which === "both" ? ["wasm", "js"] : [which as BackendName];

const model = TinyLM.init(makeConfig(), { seed: 0 }); // the defaults: context 32, learned positions, 1 head
const tokens = Array.from({ length: 32 }, (_, i) => (i * 7 + 3) % 20);

const ms = (x: number): string => `${x.toFixed(3)} ms`;

function timeForward(): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    model.forward(tokens); // [32, V]
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median wall time of generateSync(prompt "the cat sat", 1 token) with `cache`, calls alternating by caller. */
function timeFirstToken(m: TinyLM, cache: string, times: number[]): void {
  const t0 = performance.now();
  generateSync(m, "the cat sat", { maxNewTokens: 1, cache });
  times.push(performance.now() - t0);
}

/** Median over runs of (total generation time / 29), and of the decode steps alone. */
function timeGeneration(cache: string): { perToken: number; decode: number; text: string } {
  const per: number[] = [];
  const dec: number[] = [];
  let text = "";
  for (let r = 0; r < Math.max(5, runs / 10); r++) {
    const g = generateSync(model, "the cat sat", { maxNewTokens: 29, cache });
    per.push(g.totalMs / g.ids.length);
    dec.push(g.msPerToken);
    text = g.text;
  }
  return { perToken: median(per), decode: median(dec), text };
}

console.log(`tinylm forward — default config (d=64, 3 blocks, context 32), node ${process.version}, medians of ${runs} runs`);
for (const name of backends) {
  setBackend(name);
  for (let i = 0; i < 50; i++) model.forward(tokens); // warm up the JIT
  timeGeneration("full");
  timeGeneration("none");
  console.log(`\n== backend: ${backendInfo().name}`);
  console.log(`forward, T = 32:                       ${ms(timeForward())}`);
  for (const cache of ["none", "full"]) {
    const g = timeGeneration(cache);
    console.log(`29-token generation, cache ${cache.padEnd(4)}:     ${ms(g.perToken)} per token (decode steps alone: ${ms(g.decode)})`);
  }
  console.log(`text: ${timeGeneration("full").text}`);
  for (const contextLength of [32, 10_000]) {
    const m = contextLength === 32 ? model : TinyLM.init(makeConfig({ contextLength }), { seed: 0 });
    const times: Record<string, number[]> = { none: [], full: [] };
    for (let r = 0; r < runs * 2; r++) for (const cache of ["none", "full"]) timeFirstToken(m, cache, times[cache]!);
    console.log(`n = 1 (prefill only), context ${contextLength.toLocaleString("en-US").padEnd(6)}: none ${ms(median(times.none!))}, full ${ms(median(times.full!))}`);
  }
}
