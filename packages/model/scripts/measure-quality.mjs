#!/usr/bin/env node
// Measures the bundled trained models (packages/model/models/) and writes the figures the model card
// quotes and the tests read: models/quality.json. Needs only Node and the built package:
//
//   npx -y pnpm@12.4.2 build && node packages/model/scripts/measure-quality.mjs [--check]
//
// --check recomputes and compares with the committed quality.json instead of writing it (exit 1 if different).
import { readFileSync, writeFileSync } from "node:fs";

const m = { ...(await import(new URL("../dist/index.js", import.meta.url).href)), ...(await import(new URL("../dist/node.js", import.meta.url).href)) };
const out = new URL("../models/quality.json", import.meta.url);
const check = process.argv.includes("--check");

const round = (x) => Number(x.toFixed(4));
const figures = {};
for (const name of m.BUNDLED_MODELS) {
  const model = m.loadBundledModel(name);
  const plan = m.qualityPlan(model);
  const t0 = performance.now();
  const q = m.measureQuality(model, plan);
  figures[name] = {
    run: m.bundledModelMetadata(name).run,
    plan,
    heldout_loss: round(q.heldoutLoss),
    heldout_perplexity: round(q.heldoutPerplexity),
    greedy_rate: round(q.greedyRate),
    sampled_rate: round(q.sampledRate),
    topic_accuracy: { full: round(q.topicAccuracy.full), sliding_window: round(q.topicAccuracy.slidingWindow), sinks: round(q.topicAccuracy.sinks) },
  };
  const f = figures[name];
  console.log(`${name}: held-out loss ${f.heldout_loss} (perplexity ${f.heldout_perplexity}); grammatical: greedy ${f.greedy_rate}, sampled ${f.sampled_rate}; ` +
    `topic ${plan.gap}+ words back: full ${f.topic_accuracy.full}, sliding-window ${plan.window} ${f.topic_accuracy.sliding_window}, sinks ${plan.sinks}+${plan.window} ${f.topic_accuracy.sinks} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const text = JSON.stringify({ command: "node packages/model/scripts/measure-quality.mjs", models: figures }, null, 1) + "\n";
if (check) {
  const same = readFileSync(out, "utf8") === text;
  console.log(same ? "quality.json: the same figures" : "quality.json: DIFFERENT figures (rerun without --check to update)");
  process.exit(same ? 0 : 1);
}
writeFileSync(out, text);
console.log(`wrote ${out.pathname}`);
