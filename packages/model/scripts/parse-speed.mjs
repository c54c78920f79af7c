// Times parseSafetensors on the committed default weights (105,172 floats): the first (cold) parse, as a CLI
// run sees it, and the median of 200 parses after 50 warm-up parses. Run after a build: node packages/model/scripts/parse-speed.mjs
import { readFileSync } from "node:fs";
import { parseSafetensors } from "../dist/index.js";

const bytes = readFileSync(new URL("../fixtures/pytorch/default-learned-1h.safetensors", import.meta.url));
let first = 0;
const times = [];
for (let i = 0; i < 250; i++) {
  const t0 = performance.now();
  parseSafetensors(bytes);
  if (i === 0) first = performance.now() - t0;
  if (i >= 50) times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.floor(p * (times.length - 1))].toFixed(3);
console.log(`parseSafetensors, ${bytes.length.toLocaleString("en-US")}-byte default weights: median ${q(0.5)} ms (p10 ${q(0.1)}, p90 ${q(0.9)}) over ${times.length} parses; first (cold) parse ${first.toFixed(3)} ms`);
