// The cache strategies' cost at t = 1,000 (context 1,024): decode ms/token against `full`, measured in one
// run with the strategies interleaved round by round (a ratio compares steps that saw the same machine
// load), and the bytes each allocates. Printed by the speed script with its targets; never asserted.
import { createCache, makeConfig, TinyLM, type CacheOptions, type KVCache } from "@tinylm/model";
import { zeros } from "@tinylm/tensor";
import { median } from "./stats.js";

const T0 = 1000;
const STRATEGIES: readonly { label: string; kind: string; options?: CacheOptions }[] = [
  { label: "full", kind: "full" },
  { label: "paged", kind: "paged" },
  { label: "int8", kind: "int8" },
  { label: "int8, per-channel keys", kind: "int8", options: { keyScales: "channel" } },
];

/**
 * ms of each of `n` decode steps after `prompt` fills the cache and `warm` untimed steps run, on the path
 * generate() takes: forward(…, { cache, out }) into one reused [1, V] tensor, nothing allocated. The next
 * token is the row's argmax (choosing it is the sampler's work, not the model's).
 */
export function decodeStepTimes(model: TinyLM, cache: KVCache, prompt: number[], n: number, warm = 0): number[] {
  const out = zeros([1, model.config.vocabSize]); // [1, V]
  const token = [1];
  cache.reset();
  model.forward(prompt, { cache, logits: "last" });
  const times: number[] = [];
  for (let s = 0; s < warm + n; s++) {
    const t0 = performance.now();
    const logits = model.forward(token, { cache, out }).data;
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
    token[0] = best;
    if (s >= warm) times.push(performance.now() - t0);
  }
  return times;
}

export interface StrategyCost {
  readonly label: string;
  readonly msPerToken: number; // median decode step from t = 1,000
  readonly ratio: number; // against full, same run
  readonly allocated: number; // bytes at t = 1,000
  readonly used: number;
}

/** Decode cost and bytes of each strategy at t = 1,000, `rounds` rounds of 16 steps each. */
export function strategyCosts(rounds: number): StrategyCost[] {
  const config = makeConfig({ contextLength: 1024 });
  const model = TinyLM.init(config, { seed: 1 });
  const prompt = Array.from({ length: T0 }, (_, i) => (i * 7 + 3) % 20);
  const caches = STRATEGIES.map((s) => createCache(s.kind, config, s.options));
  const times: number[][] = caches.map(() => []);
  caches.forEach((cache) => decodeStepTimes(model, cache, prompt, 16)); // warm up the JIT
  for (let r = 0; r < rounds; r++) caches.forEach((cache, i) => times[i]!.push(...decodeStepTimes(model, cache, prompt, 16)));
  const ms = times.map(median);
  return STRATEGIES.map((s, i) => {
    caches[i]!.reset();
    model.forward(prompt, { cache: caches[i]!, logits: "last" });
    const { allocated, used } = caches[i]!.bytes();
    return { label: s.label, msPerToken: ms[i]!, ratio: ms[i]! / ms[0]!, allocated, used };
  });
}

/** The lines the speed script prints: each strategy's decode cost and bytes. */
export function strategyLines(costs: readonly StrategyCost[], rounds: number): string[] {
  const full = costs[0]!;
  const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  return [
    `cache strategies at t = 1,000, context 1,024 (median decode step, ${rounds} rounds of 16 steps, interleaved):`,
    ...costs.map((c) => `  ${c.label.padEnd(24)} ${c.msPerToken.toFixed(4)} ms/token  ${c.ratio.toFixed(2)}x full   allocated ${kib(c.allocated).padStart(11)}  (${(c.allocated / full.allocated).toFixed(3)}x full)  used ${kib(c.used)}`),
  ];
}

/** The paged and int8 targets as the speed script's target rows: [name, measured, ratio (> 1 is better), met]. */
export function strategyTargets(costs: readonly StrategyCost[]): [string, string, number, boolean][] {
  const full = costs[0]!, paged = costs.find((c) => c.label === "paged")!;
  const config = makeConfig({ contextLength: 1024 });
  const blockBytes = 2 * config.nLayers * config.dModel * 4 * 64; // keys and values of one 64-position block, every layer
  const usedRounded = Math.ceil(paged.used / blockBytes) * blockBytes;
  const tables = 2 * 4 * Math.ceil(1024 / 64) * config.nLayers; // two i32 addresses per block of the context, per layer
  const blocks = paged.allocated - tables;
  const rows: [string, string, number, boolean][] = [
    ["paged allocated: ≤ used rounded up to a block", `${blocks} B of blocks (+ ${tables} B of tables) for ${paged.used} B used`, usedRounded / blocks, blocks <= usedRounded],
    ["paged decode, t = 1,000: ≤ 1.25× full", `${paged.msPerToken.toFixed(4)} ms against ${full.msPerToken.toFixed(4)}`, 1.25 / paged.ratio, paged.ratio <= 1.25],
  ];
  for (const c of costs.filter((x) => x.label.startsWith("int8"))) {
    rows.push([`${c.label} allocated: ≤ 0.3× full`, `${c.allocated} B against ${full.allocated}`, (0.3 * full.allocated) / c.allocated, c.allocated <= 0.3 * full.allocated]);
    rows.push([`${c.label} decode, t = 1,000: ≤ 1.5× full`, `${c.msPerToken.toFixed(4)} ms against ${full.msPerToken.toFixed(4)}`, 1.5 / c.ratio, c.ratio <= 1.5]);
  }
  return rows;
}

// run alone: node dist/strategy-speed.js [--rounds N]
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 9;
  const costs = strategyCosts(rounds);
  for (const line of strategyLines(costs, rounds)) console.log(line);
  for (const [name, measured, , ok] of strategyTargets(costs)) console.log(`  ${name.padEnd(52)} ${measured.padEnd(44)} ${ok ? "met" : "NOT met"}`);
}
