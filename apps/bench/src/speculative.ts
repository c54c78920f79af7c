// Speculative decoding, measured: a target model and a draft (the bench uses the bundled `long` and `draft`),
// `full` caches, greedy decoding of N tokens from one prompt. For each k the speculative run is timed right
// after a plain cached run of the target (generateSync), round after round, so each ratio compares two
// neighbouring runs that saw the same machine load; every speculative run's tokens are checked against the
// plain run's. Untimed: one seeded run per k sampled at temperature 1 (the acceptance under sampling). Then
// the cost of single forward passes in the middle of the generation: the draft's over 1 token, the
// target's over 1 and over k + 1 tokens, which the section's cost model is built from.
// Run alone: node dist/speculative.js [--tokens N] [--rounds N] [--prompt TEXT]
import { checkSpeculation, configToJson, createCache, encode, generateSync, speculate, type KVCache, type TinyLM } from "@tinylm/model";
import { loadBundledModel } from "@tinylm/model/node";
import { fileURLToPath } from "node:url";
import { UsageError } from "./errors.js";
import { collectGarbage } from "./gc.js";

/** The proposal lengths measured. */
export const SPECULATE_KS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8];
/** Seed and temperature of the sampled (untimed) runs. */
export const SAMPLED = { temperature: 1, seed: 7 } as const;

/** One k: raw numbers only (speedups, verdicts and the cost model are derived in speculative-section.ts). */
export interface SpeculativePoint {
  readonly k: number;
  readonly plainMs: number[]; // [rounds]: the plain cached run timed just before each speculative run
  readonly ms: number[]; // [rounds]: the speculative runs
  readonly accepted: number; // greedy: draft tokens kept (the same every round: greedy is deterministic)
  readonly proposed: number; // greedy: draft tokens the target scored
  readonly targetPasses: number; // greedy: target forward passes (speculation rounds)
  readonly sampled: { readonly accepted: number; readonly proposed: number }; // temperature 1, seeded
  readonly passMs: number[]; // [passRounds]: one target pass over k + 1 tokens at `position`, mean of passReps
  readonly sameTokens: boolean; // every speculative run generated the plain run's tokens
}

export interface SpeculativeResults {
  readonly target: string; // the models' names
  readonly draft: string;
  readonly targetConfig: Record<string, number | string>; // snake_case, as in safetensors
  readonly draftConfig: Record<string, number | string>;
  readonly prompt: string;
  readonly promptTokens: number;
  readonly tokens: number; // generated per run
  readonly rounds: number; // timed rounds (every k once per round)
  readonly position: number; // where the single passes were timed (the cache held this many positions)
  readonly passRounds: number; // rounds of `passReps` passes of each kind, interleaved
  readonly passReps: number;
  readonly targetPassMs: number[]; // [passRounds]: one target pass over 1 token
  readonly draftPassMs: number[]; // [passRounds]: one draft pass over 1 token
  readonly points: SpeculativePoint[];
}

export interface SpeculativeOptions {
  readonly prompt: string;
  readonly tokens: number;
  readonly rounds: number;
  readonly ks?: readonly number[];
  readonly names?: { readonly target: string; readonly draft: string };
  readonly onProgress?: (message: string) => void;
}

const PASS_ROUNDS = 15;
const PASS_REPS = 20;

/** ms per forward pass of `ids` over `cache` (holding `length` positions), `reps` passes timed together, each rolled back. */
function passMs(model: TinyLM, cache: KVCache, ids: readonly number[], reps: number, logits: "all" | "last"): number {
  const length = cache.length;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    model.forward(ids, { cache, logits });
    cache.truncate(length);
  }
  return (performance.now() - t0) / reps;
}

/** Measures plain against speculative greedy decoding for every k (see the file's comment). */
export function measureSpeculation(target: TinyLM, draft: TinyLM, o: SpeculativeOptions): SpeculativeResults {
  const ks = o.ks ?? SPECULATE_KS;
  const promptIds = encode(o.prompt);
  const tc = createCache("full", target.config), dc = createCache("full", draft.config);
  const timed = <T>(f: () => T): { ms: number; r: T } => {
    collectGarbage(); // the previous run's garbage is not collected on this run's clock
    const t0 = performance.now();
    const r = f();
    return { ms: performance.now() - t0, r };
  };
  const plain = (n: number) => timed(() => generateSync(target, o.prompt, { maxNewTokens: n, cache: tc }));
  const spec = (k: number, n: number, sampling = {}) => timed(() => speculate(target, o.prompt, { draft, k, maxNewTokens: n, sampling, targetCache: tc, draftCache: dc }));

  o.onProgress?.("warming up");
  const warm = Math.min(o.tokens, 64);
  for (const k of ks) plain(warm), spec(k, warm); // V8 compiles the hot paths before the clock matters
  const plainMs: number[][] = ks.map(() => []), ms: number[][] = ks.map(() => []);
  const same = ks.map(() => true);
  const greedy: { accepted: number; proposed: number; targetPasses: number }[] = [];
  let reference: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    ks.forEach((k, i) => {
      o.onProgress?.(`round ${round + 1}/${o.rounds}, k = ${k}`);
      const p = plain(o.tokens), s = spec(k, o.tokens);
      plainMs[i]!.push(p.ms);
      ms[i]!.push(s.ms);
      reference = p.r.ids;
      if (s.r.ids.join() !== p.r.ids.join()) same[i] = false;
      greedy[i] = { accepted: s.r.accepted, proposed: s.r.proposed, targetPasses: s.r.rounds };
    });
  }
  o.onProgress?.(`sampled runs at temperature ${SAMPLED.temperature}`);
  const sampled = ks.map((k) => {
    const r = speculate(target, o.prompt, { draft, k, maxNewTokens: o.tokens, sampling: SAMPLED, targetCache: tc, draftCache: dc });
    return { accepted: r.accepted, proposed: r.proposed };
  });

  // single passes at the middle of the generation, over the plain run's own tokens
  o.onProgress?.("single forward passes");
  const sequence = [...promptIds, ...reference];
  const position = promptIds.length + Math.floor(o.tokens / 2);
  const next = (count: number): number[] => Array.from({ length: count }, (_, i) => sequence[(position + i) % sequence.length]!);
  tc.reset(), dc.reset();
  collectGarbage();
  target.forward(sequence.slice(0, position), { cache: tc, logits: "last" });
  draft.forward(sequence.slice(0, position), { cache: dc, logits: "last" });
  const times = { draft: [] as number[], target: [] as number[], k: ks.map(() => [] as number[]) };
  for (let round = 0; round <= PASS_ROUNDS; round++) { // round 0 warms up and is dropped
    const d = passMs(draft, dc, next(1), PASS_REPS, "last"); // as speculate's draft runs: the last row only
    const t = passMs(target, tc, next(1), PASS_REPS, "last");
    const tk = ks.map((k) => passMs(target, tc, next(k + 1), PASS_REPS, "all")); // as speculate's verification: every row
    if (round === 0) continue;
    times.draft.push(d), times.target.push(t);
    tk.forEach((x, i) => times.k[i]!.push(x));
  }
  return {
    target: o.names?.target ?? "target", draft: o.names?.draft ?? "draft",
    targetConfig: configToJson(target.config), draftConfig: configToJson(draft.config),
    prompt: o.prompt, promptTokens: promptIds.length, tokens: o.tokens, rounds: o.rounds,
    position, passRounds: PASS_ROUNDS, passReps: PASS_REPS,
    targetPassMs: times.target, draftPassMs: times.draft,
    points: ks.map((k, i) => ({
      k, plainMs: plainMs[i]!, ms: ms[i]!, ...greedy[i]!, sampled: sampled[i]!, passMs: times.k[i]!, sameTokens: same[i]!,
    })),
  };
}

/** The bundled target and draft the bench measures, checked against each other and against the run's length. */
export function bundledPair(prompt: string, tokens: number): { target: TinyLM; draft: TinyLM; names: { target: string; draft: string } } {
  const target = loadBundledModel("long"), draft = loadBundledModel("draft");
  checkSpeculation(target, draft, Math.max(...SPECULATE_KS));
  const p = encode(prompt).length, C = target.config.contextLength;
  if (p + tokens > C) {
    throw new UsageError(`bench: --speculative-tokens ${tokens} after a ${p}-token prompt need context_length >= ${p + tokens}; the long model has ${C}. Use --speculative-tokens ${C - p} or fewer.`, "speculative-tokens");
  }
  return { target, draft, names: { target: "long", draft: "draft" } };
}

// run alone: node dist/speculative.js [--tokens N] [--rounds N] [--prompt TEXT]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { speculativeLines } = await import("./speculative-section.js");
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] ?? fallback : fallback);
  const prompt = flag("--prompt", "the cat sat"), tokens = Number(flag("--tokens", "400"));
  const { target, draft, names } = bundledPair(prompt, tokens);
  const r = measureSpeculation(target, draft, { prompt, tokens, rounds: Number(flag("--rounds", "5")), names });
  for (const line of speculativeLines(r)) console.log(line);
}
