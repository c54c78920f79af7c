// Microbenchmark of one decode query over S cached positions (dh = 64, one head) with the raw wasm
// kernels, cycling through three layers' caches as a decode step does: `attention` over contiguous rows
// (full), `attention_paged` over blocks of 16 scattered in memory, and `attention_int8` with per-token and
// per-channel (groups of 32) key scales. Prints the least CPU time of 15 runs of each (CPU time: time the
// process spent preempted on a busy machine does not count), and the ratios to full from the same run.
// Usage: node scripts/bench-cache-attention.mjs [S ...]   (default 1000 4000)
import { loadModules, reseed, rnd } from "./raw-kernels.mjs";

const [{ k, memory }] = loadModules([]);
const f = new Float32Array(memory.buffer), i32 = new Int32Array(memory.buffer), i8 = new Int8Array(memory.buffer);
const sizes = process.argv.slice(2).map(Number);
const dh = 64, B = 16, G = 32, LAYERS = 3, ROUNDS = 15;
const align = (x) => Math.ceil(x / 64) * 64;
let top = 4096;
const take = (bytes) => { const at = top; top = align(top + bytes); return at; };

/** One layer's cache in each layout, filled with the same random rows. */
function layer(S) {
  const K = take(S * dh * 4), V = take(S * dh * 4), P = take(S * 4);
  const nb = Math.ceil(S / B), KT = take(nb * 4), VT = take(nb * 4), KT2 = take(nb * 4), VT2 = take(nb * 4);
  const KQ = take(S * dh), VQ = take(S * dh), KS = take(S * 4), VS = take(S * 4), KC = take(Math.ceil(S / G) * dh * 4);
  for (let i = 0; i < S * dh; i++) { f[K / 4 + i] = rnd(); f[V / 4 + i] = rnd(); i8[KQ + i] = Math.round(rnd() * 127); i8[VQ + i] = Math.round(rnd() * 127); }
  for (let j = 0; j < S; j++) { i32[P / 4 + j] = j; f[KS / 4 + j] = 0.01; f[VS / 4 + j] = 0.01; }
  for (let i = 0; i < Math.ceil(S / G) * dh; i++) f[KC / 4 + i] = 0.01;
  // as a pool hands them out (a key block, then its value block, at increasing addresses), and scattered:
  // in reverse order with a gap between them, nothing contiguous
  for (let b = 0; b < nb; b++) {
    i32[KT / 4 + b] = take(B * dh * 4);
    i32[VT / 4 + b] = take(B * dh * 4);
  }
  for (let b = 0; b < nb; b++) {
    i32[KT2 / 4 + (nb - 1 - b)] = take(B * dh * 4 + 64);
    i32[VT2 / 4 + (nb - 1 - b)] = take(B * dh * 4 + 64);
  }
  for (let j = 0; j < S; j++) {
    const b = Math.floor(j / B), r = j % B;
    for (let c = 0; c < dh; c++) {
      for (const [kt, vt] of [[KT, VT], [KT2, VT2]]) {
        f[i32[kt / 4 + b] / 4 + r * dh + c] = f[K / 4 + j * dh + c];
        f[i32[vt / 4 + b] / 4 + r * dh + c] = f[V / 4 + j * dh + c];
      }
    }
  }
  return { K, V, P, KT, VT, KT2, VT2, KQ, VQ, KS, VS, KC };
}

for (const S of sizes.length ? sizes : [1000, 4000]) {
  top = 4096;
  reseed(7);
  const Q = take(dh * 4), O = take(dh * 4), SC = take((S + 8) * 4 + dh * 4);
  for (let i = 0; i < dh; i++) f[Q / 4 + i] = rnd();
  const layers = Array.from({ length: LAYERS }, () => layer(S));
  const W = 2 ** 31 - 1, s = 0.125;
  const runs = {
    full: (l) => k.attention(Q, dh, l.K, dh, l.V, dh, O, dh, 1, S, dh, s, S - 1, l.P, W, 0, SC),
    "paged (pool order)": (l) => k.attention_paged(Q, dh, l.KT, l.VT, 0, dh, B, O, dh, 1, S, dh, s, S - 1, 0, W, 0, SC),
    "paged (scattered)": (l) => k.attention_paged(Q, dh, l.KT2, l.VT2, 0, dh, B, O, dh, 1, S, dh, s, S - 1, 0, W, 0, SC),
    "int8 (per-token keys)": (l) => k.attention_int8(Q, dh, l.KQ, dh, l.KS, 0, 0, S, 0, 0, l.VQ, dh, l.VS, O, dh, 1, S, dh, s, S - 1, 0, W, 0, SC),
    "int8 (per-channel keys)": (l) => k.attention_int8(Q, dh, l.KQ, dh, l.KC, G, dh * 4, S, 0, 0, l.VQ, dh, l.VS, O, dh, 1, S, dh, s, S - 1, 0, W, 0, SC),
  };
  const reps = Math.max(LAYERS, Math.round(1e6 / S / LAYERS) * LAYERS);
  const best = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs)) { // interleaved: load changes hit every kernel alike
      const c0 = process.cpuUsage();
      for (let i = 0; i < reps; i++) run(layers[i % LAYERS]);
      const c = process.cpuUsage(c0);
      best[name] = Math.min(best[name] ?? Infinity, (c.user + c.system) / reps);
    }
  }
  for (const [name, us] of Object.entries(best)) {
    console.log(`S=${S}  ${name.padEnd(24)} ${us.toFixed(2).padStart(8)} us  ${(us / best.full).toFixed(2)}x full`);
  }
}
