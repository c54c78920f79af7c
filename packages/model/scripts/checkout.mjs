// What the decode scripts share: a built checkout's packages (given by the command line), FMA on 2
// threads, and the seeded model at context 10,000 with a full cache filled to position t.
//   const { model, cache, out, tensor } = await decodeAt("<script>.mjs");
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** Reads `<checkout root, built> [t]` from argv (t defaults to `t`), exits 2 with a usage line when wrong. */
export async function decodeAt(script, t = 1000) {
  const [rootArg, tArg = String(t)] = process.argv.slice(2);
  const T0 = Number(tArg);
  if (!rootArg || !existsSync(resolve(rootArg, "packages/model/dist/index.js")) || !Number.isInteger(T0) || T0 < 1 || T0 > 9990) {
    console.error(`usage: ${script} <checkout root, built> [t, an integer in 1..9990; default ${t}]`);
    process.exit(2);
  }
  const at = (p) => pathToFileURL(resolve(rootArg, p)).href;
  await import(at("apps/bench/dist/fma.js")); // lets V8 compile the FMA build (Node 20)
  const { createCache, makeConfig, TinyLM } = await import(at("packages/model/dist/index.js"));
  const tensor = await import(at("packages/tensor/dist/index.js"));
  tensor.setFma(true);
  tensor.setThreads(2);
  await tensor.warmThreads();
  const config = makeConfig({ contextLength: 10000 });
  const model = TinyLM.init(config, { seed: 1 });
  const cache = createCache("full", config);
  const out = tensor.zeros([1, config.vocabSize]);
  model.forward(Array.from({ length: T0 }, (_, i) => (i * 7 + 3) % 20), { cache, logits: "last" });
  return { root: rootArg, T0, model, cache, out, tensor };
}
