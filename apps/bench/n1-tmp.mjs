import { generateSync, makeConfig, TinyLM } from "@tinylm/model";
for (const C of [32, 10000]) {
  const model = TinyLM.init(makeConfig({ contextLength: C }), { seed: 0 });
  const t = { none: [], full: [] };
  for (let i = 0; i < 300; i++) for (const cache of ["none", "full"]) {
    const s = performance.now();
    generateSync(model, "the cat sat", { maxNewTokens: 1, cache });
    if (i >= 50) t[cache].push(performance.now() - s);
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(4);
  console.log(`context ${C}: n=1 wall per generateSync: none ${med(t.none)} ms, full ${med(t.full)} ms`);
}
