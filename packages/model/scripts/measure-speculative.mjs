// Speculative decoding on the trained models: the `long` model (3 blocks) as the target, `draft` (1 block of
// the same kind) as the draft. For k = 1..8: the acceptance rate (greedy, and sampled at temperature 1) and
// the wall-clock time of N greedy tokens against plain cached decoding of the target (cache "full"). Runs
// are interleaved (plain, k = 1, …, k = 8, plain, …) and repeated; the table keeps the median of each and the
// range of the speedup over the repeats. Greedy speculative output is checked to equal the plain output.
//   npx -y pnpm@12.4.2 build && node packages/model/scripts/measure-speculative.mjs [tokens] [repeats]
const m = { ...(await import(new URL("../dist/index.js", import.meta.url).href)), ...(await import(new URL("../dist/node.js", import.meta.url).href)) };

const N = Number(process.argv[2] ?? 400);
const REPEATS = Number(process.argv[3] ?? 5);
const KS = [1, 2, 3, 4, 5, 6, 7, 8];
const target = m.loadBundledModel("long"), draft = m.loadBundledModel("draft");
const prompts = ["the cat sat on the mat and", "a big dog runs in the house and the dog", "the small tree is big and a cat eats"];
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const caches = { t: m.createCache("full", target.config), d: m.createCache("full", draft.config) };

const plain = (prompt) => {
  const t0 = performance.now();
  const r = m.generateSync(target, prompt, { maxNewTokens: N, cache: caches.t });
  return { ms: performance.now() - t0, ids: r.ids };
};
const spec = (prompt, k, sampling = {}) => {
  const t0 = performance.now();
  const r = m.speculate(target, prompt, { draft, k, maxNewTokens: N, sampling, targetCache: caches.t, draftCache: caches.d });
  return { ms: performance.now() - t0, ids: r.ids, r };
};

for (const p of prompts) { plain(p); spec(p, 4); } // warm up: compile the hot paths before measuring
const times = { plain: [] };
const ratios = {};
const acceptance = {};
for (const k of KS) [times[k], ratios[k], acceptance[k]] = [[], [], { greedy: [0, 0], sampled: [0, 0] }];
for (let rep = 0; rep < REPEATS; rep++) {
  for (const prompt of prompts) {
    const base = plain(prompt);
    times.plain.push(base.ms);
    for (const k of KS) {
      const s = spec(prompt, k);
      if (s.ids.join() !== base.ids.join()) throw new Error(`k ${k}: greedy speculative output differs from the target's`);
      times[k].push(s.ms);
      ratios[k].push(base.ms / s.ms);
      acceptance[k].greedy[0] += s.r.accepted;
      acceptance[k].greedy[1] += s.r.proposed;
      if (rep === 0) {
        const t = spec(prompt, k, { temperature: 1, seed: 7 }).r;
        acceptance[k].sampled[0] += t.accepted;
        acceptance[k].sampled[1] += t.proposed;
      }
    }
  }
}
// what one round costs: a forward pass of T tokens at position ~200, target and draft (median of 200)
const passMs = (model, T) => {
  const cache = m.createCache("full", model.config);
  const ids = Array.from({ length: 200 }, (_, i) => i % 20);
  const xs = [];
  for (let i = 0; i < 200; i++) {
    cache.reset();
    model.forward(ids, { cache, logits: "last" });
    const t0 = performance.now();
    model.forward(ids.slice(0, T), { cache });
    xs.push(performance.now() - t0);
  }
  return median(xs);
};
const pass = { d1: passMs(draft, 1), t1: passMs(target, 1) };
for (const k of KS) pass[k] = passMs(target, k + 1);
const pct = ([a, b]) => `${((100 * a) / b).toFixed(1)}%`;
console.log(`target: long (3 blocks), draft: draft (1 block), cache full; ${N} greedy tokens from each of ${prompts.length} prompts, ${REPEATS} repeats (median; speedup range over runs)`);
console.log(`plain cached decoding: ${median(times.plain).toFixed(1)} ms per run, ${(median(times.plain) / N).toFixed(3)} ms per token`);
console.log(`one pass at position 200: target 1 token ${pass.t1.toFixed(3)} ms, draft 1 token ${pass.d1.toFixed(3)} ms (${(pass.d1 / pass.t1).toFixed(2)} of the target's)`);
console.log("k  accepted (greedy)  accepted (t=1)  ms per run  speedup (median)  speedup range  target pass of k+1 tokens / 1 token");
for (const k of KS) {
  const r = ratios[k];
  console.log(`${String(k).padEnd(2)} ${pct(acceptance[k].greedy).padStart(17)}  ${pct(acceptance[k].sampled).padStart(14)}  ${median(times[k]).toFixed(1).padStart(10)}  ${(median(r).toFixed(2) + "x").padStart(16)}  ${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)}x`.padEnd(14) + `  ${(pass[k] / pass.t1).toFixed(2)}`);
}
