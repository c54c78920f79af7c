// The value pass over int8 value rows with one scale per row (per token): acc += Σ_j e_j · vs_j · f32(vq_j),
// the row's scale folded into its weight first (foldScales: one multiply per key instead of one per
// element), keys ascending, +0 weights skipped, one running sum per output column, as accumulateValues
// (attention-values.ts) does over float rows. Keys go in chunks of CHUNK so each chunk's int8 rows (a
// quarter of the float bytes) stay in L1 across the column blocks.
import { hi8, lo8, load1, load4 } from "./int8";
import { madd } from "./simd";

const CHUNK = 128;

/** True when no weight in w [j0, j1) is +0 (weights are never -0). */
@inline function noZero(w: usize, j0: i32, j1: i32): bool {
  let zero = i32x4.splat(0);
  let j = j0;
  for (; j + 4 <= j1; j += 4) zero = v128.or(zero, i32x4.eq(v128.load(w + (<usize>j << 2)), i32x4.splat(0)));
  let ok = !v128.any_true(zero);
  for (; j < j1; j++) ok = ok && load<i32>(w + (<usize>j << 2)) != 0;
  return ok;
}

/** w [j] *= vSc [j] for j in [start, end): each weight times its value row's scale. */
export function foldScales(w: usize, vSc: usize, start: i32, end: i32): void {
  let j = start;
  for (; j + 4 <= end; j += 4) {
    const at = w + (<usize>j << 2);
    v128.store(at, f32x4.mul(v128.load(at), v128.load(vSc + (<usize>j << 2))));
  }
  for (; j < end; j++) store<f32>(w + (<usize>j << 2), load<f32>(w + (<usize>j << 2)) * load<f32>(vSc + (<usize>j << 2)));
}

/** Columns [c, c + 16) (oc: acc at c, vc: the int8 rows at c) over keys [j0, j1). */
@inline function block16q(oc: usize, vc: usize, vRow: usize, w: usize, j0: i32, j1: i32, dense: bool): void {
  let b0 = v128.load(oc), b1 = v128.load(oc, 16), b2 = v128.load(oc, 32), b3 = v128.load(oc, 48);
  let vr = vc + <usize>j0 * vRow;
  const wEnd = w + (<usize>j1 << 2);
  for (let at = w + (<usize>j0 << 2); at < wEnd; at += 4, vr += vRow) {
    if (!dense && load<i32>(at) == 0) continue;
    const e4 = v128.load32_splat(at);
    const x = v128.load(vr);
    const l = i16x8.extend_low_i8x16_s(x), h = i16x8.extend_high_i8x16_s(x);
    b0 = madd(b0, e4, lo8(l)); b1 = madd(b1, e4, hi8(l));
    b2 = madd(b2, e4, lo8(h)); b3 = madd(b3, e4, hi8(h));
  }
  v128.store(oc, b0); v128.store(oc, b1, 16); v128.store(oc, b2, 32); v128.store(oc, b3, 48);
}

/** Columns [0, dh) of acc over the keys [j0, j1) of one chunk. */
function chunkColumnsQ(acc: usize, v: usize, vRow: usize, dh: i32, w: usize, j0: i32, j1: i32): void {
  let c = 0;
  if (noZero(w, j0, j1)) for (; c + 16 <= dh; c += 16) block16q(acc + (<usize>c << 2), v + <usize>c, vRow, w, j0, j1, true);
  else for (; c + 16 <= dh; c += 16) block16q(acc + (<usize>c << 2), v + <usize>c, vRow, w, j0, j1, false);
  for (; c + 4 <= dh; c += 4) {
    const oc = acc + (<usize>c << 2), vc = v + <usize>c;
    let b0 = v128.load(oc);
    for (let j = j0; j < j1; j++) {
      const e = load<f32>(w + (<usize>j << 2));
      if (e == 0) continue;
      b0 = madd(b0, f32x4.splat(e), load4(vc + <usize>j * vRow));
    }
    v128.store(oc, b0);
  }
  for (; c < dh; c++) {
    const oc = acc + (<usize>c << 2), vc = v + <usize>c;
    let b = load<f32>(oc);
    for (let j = j0; j < j1; j++) {
      const e = load<f32>(w + (<usize>j << 2));
      if (e == 0) continue;
      b += e * load1(vc + <usize>j * vRow);
    }
    store<f32>(oc, b);
  }
}

/**
 * acc [dh] += Σ_{start <= j < end} w[j] · f32(vq_j) over int8 rows v (vRow bytes apart); w already holds
 * each weight times its row's scale (foldScales).
 */
export function accumulateValuesI8(acc: usize, v: usize, vRow: usize, dh: i32, w: usize, start: i32, end: i32): void {
  for (let j0 = start; j0 < end; j0 += CHUNK) chunkColumnsQ(acc, v, vRow, dh, w, j0, min(j0 + CHUNK, end));
}
