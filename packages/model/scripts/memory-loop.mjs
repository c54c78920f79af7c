// Kernel memory held by two loops that used to grow without bound (run after `pnpm build`):
//   node packages/model/scripts/memory-loop.mjs [dist root, default this package]
// 1. one context-10,000 model, generate() with 300 window sizes of `sliding-window` (each its own idle cache);
// 2. 1,000 models created, generated with and released (dispose() when the build has it, else dropped).
// Prints kernel bytes in live blocks (backendInfo().memoryUsed: the allocator's exact count) and RSS.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const root = resolve(process.argv[2] ?? new URL("..", import.meta.url).pathname);
const m = await import(pathToFileURL(`${root}/dist/index.js`).href);
const { backendInfo } = await import(pathToFileURL(`${root}/../tensor/dist/index.js`).href);
const MB = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;
const show = (label) => console.log(`${label.padEnd(44)} kernel memory in use ${MB(backendInfo().memoryUsed).padStart(9)}   RSS ${MB(process.memoryUsage().rss).padStart(9)}`);

show("start");
const big = m.TinyLM.init(m.makeConfig({ contextLength: 10_000, positional: "sinusoidal" }), { seed: 1 });
show("a context-10,000 model");
for (let w = 1; w <= 300; w++) m.generateSync(big, "the cat sat", { cache: "sliding-window", window: 30 * w, maxNewTokens: 2 });
show("after 300 window sizes (sliding-window)");
if (big.dispose) big.dispose();
show("after dispose()");
for (let i = 0; i < 1000; i++) {
  const model = m.TinyLM.init(m.makeConfig({ contextLength: 256 }), { seed: i });
  m.generateSync(model, "the cat sat", { cache: "full", maxNewTokens: 5 });
  model.dispose?.();
}
show("after 1,000 models created and released");
