// One cold generation as `tinylm generate --prompt "the cat sat" --max-new-tokens 50` runs it, timed from
// inside a fresh process (cold-start.ts spawns it): when the process reached this module, how long
// importing the library took, and the time from then to the first token and to the last.
//   node dist/first-token.js [--weights file.safetensors]
import "./fma.js";

const args = process.argv.slice(2);
const weights = args.includes("--weights") ? args[args.indexOf("--weights") + 1] : undefined;
const boot = performance.now(); // since the process started
const { DEFAULT_CONFIG, TinyLM, generateSync } = await import("@tinylm/model");
const { loadModel } = await import("@tinylm/model/node");
const imported = performance.now();
let first = NaN;
const model = weights ? loadModel(weights) : TinyLM.init(DEFAULT_CONFIG, { seed: 0 });
const loaded = performance.now();
generateSync(model, "the cat sat", {
  maxNewTokens: 50,
  cache: "full",
  onToken: () => {
    if (Number.isNaN(first)) first = performance.now();
  },
});
const end = performance.now();
process.stdout.write(`${JSON.stringify({ boot, importMs: imported - boot, loadMs: loaded - imported, firstTokenMs: first - imported, lastTokenMs: end - imported })}\n`);
