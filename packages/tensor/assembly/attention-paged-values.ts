// The value pass of the paged attention: acc += Σ_j w[j] · v_j over keys [s, e) whose rows sit in blocks
// of B rows (block b at the i32 address vTable[b], plus the head's column offset). Keys go in chunks of
// about CHUNK keys made of whole blocks' parts; for each chunk every column block keeps its accumulators in
// registers across the chunk's blocks (loaded and stored once per chunk, not once per block), and the
// chunk's rows stay in L1 across the column blocks. Each output column still sums its keys in ascending
// order with the +0 weights skipped, as accumulateValues does (attention-values.ts): the same bits.

import { madd } from "./simd";

const CHUNK = 64;

/** The address of block b's row 0 at byte column col. */
@inline function blockAt(table: usize, b: i32, col: usize): usize {
  return <usize>load<i32>(table + (<usize>b << 2)) + col;
}

/** True when no weight in w [j0, j1) is +0 (weights are never -0). */
@inline function noZero(w: usize, j0: i32, j1: i32): bool {
  let zero = i32x4.splat(0);
  let j = j0;
  for (; j + 4 <= j1; j += 4) zero = v128.or(zero, i32x4.eq(v128.load(w + (<usize>j << 2)), i32x4.splat(0)));
  let ok = !v128.any_true(zero);
  for (; j < j1; j++) ok = ok && load<i32>(w + (<usize>j << 2)) != 0;
  return ok;
}

/** Columns [c, c + 24) (oc: acc at c; col: the byte offset of column c in a row) over keys [j0, j1). */
@inline function cols24(oc: usize, vTable: usize, col: usize, vRow: usize, B: i32, w: usize, j0: i32, j1: i32, dense: bool): void {
  let b0 = v128.load(oc), b1 = v128.load(oc, 16), b2 = v128.load(oc, 32), b3 = v128.load(oc, 48);
  let b4 = v128.load(oc, 64), b5 = v128.load(oc, 80);
  for (let b = j0 / B; b * B < j1; b++) {
    const first = b * B, from = max(j0, first), to = min(j1, first + B);
    let vr = blockAt(vTable, b, col) + <usize>(from - first) * vRow;
    const wEnd = w + (<usize>to << 2);
    for (let at = w + (<usize>from << 2); at < wEnd; at += 4, vr += vRow) {
      if (!dense && load<i32>(at) == 0) continue;
      const e4 = v128.load32_splat(at);
      b0 = madd(b0, e4, v128.load(vr)); b1 = madd(b1, e4, v128.load(vr, 16));
      b2 = madd(b2, e4, v128.load(vr, 32)); b3 = madd(b3, e4, v128.load(vr, 48));
      b4 = madd(b4, e4, v128.load(vr, 64)); b5 = madd(b5, e4, v128.load(vr, 80));
    }
  }
  v128.store(oc, b0); v128.store(oc, b1, 16); v128.store(oc, b2, 32); v128.store(oc, b3, 48);
  v128.store(oc, b4, 64); v128.store(oc, b5, 80);
}

/** cols24 for columns [c, c + 16). */
@inline function cols16(oc: usize, vTable: usize, col: usize, vRow: usize, B: i32, w: usize, j0: i32, j1: i32, dense: bool): void {
  let b0 = v128.load(oc), b1 = v128.load(oc, 16), b2 = v128.load(oc, 32), b3 = v128.load(oc, 48);
  for (let b = j0 / B; b * B < j1; b++) {
    const first = b * B, from = max(j0, first), to = min(j1, first + B);
    let vr = blockAt(vTable, b, col) + <usize>(from - first) * vRow;
    const wEnd = w + (<usize>to << 2);
    for (let at = w + (<usize>from << 2); at < wEnd; at += 4, vr += vRow) {
      if (!dense && load<i32>(at) == 0) continue;
      const e4 = v128.load32_splat(at);
      b0 = madd(b0, e4, v128.load(vr)); b1 = madd(b1, e4, v128.load(vr, 16));
      b2 = madd(b2, e4, v128.load(vr, 32)); b3 = madd(b3, e4, v128.load(vr, 48));
    }
  }
  v128.store(oc, b0); v128.store(oc, b1, 16); v128.store(oc, b2, 32); v128.store(oc, b3, 48);
}

/** Columns [c, c + 4), then one column: the narrow tails. */
function colsNarrow(acc: usize, vTable: usize, colBase: usize, vRow: usize, B: i32, dh: i32, c: i32, w: usize, j0: i32, j1: i32): void {
  for (; c + 4 <= dh; c += 4) {
    const oc = acc + (<usize>c << 2), col = colBase + (<usize>c << 2);
    let b0 = v128.load(oc);
    for (let b = j0 / B; b * B < j1; b++) {
      const first = b * B, from = max(j0, first), to = min(j1, first + B);
      let vr = blockAt(vTable, b, col) + <usize>(from - first) * vRow;
      for (let j = from; j < to; j++, vr += vRow) {
        const e = load<f32>(w + (<usize>j << 2));
        if (e == 0) continue;
        b0 = madd(b0, f32x4.splat(e), v128.load(vr));
      }
    }
    v128.store(oc, b0);
  }
  for (; c < dh; c++) {
    const oc = acc + (<usize>c << 2), col = colBase + (<usize>c << 2);
    let x = load<f32>(oc);
    for (let b = j0 / B; b * B < j1; b++) {
      const first = b * B, from = max(j0, first), to = min(j1, first + B);
      let vr = blockAt(vTable, b, col) + <usize>(from - first) * vRow;
      for (let j = from; j < to; j++, vr += vRow) {
        const e = load<f32>(w + (<usize>j << 2));
        if (e == 0) continue;
        x += e * load<f32>(vr);
      }
    }
    store<f32>(oc, x);
  }
}

/** Columns [0, dh) of acc over the keys [j0, j1) of one chunk. */
function chunkColumns(acc: usize, vTable: usize, col: usize, vRow: usize, B: i32, dh: i32, w: usize, j0: i32, j1: i32): void {
  const dense = noZero(w, j0, j1);
  let c = 0;
  const end24 = dh == 32 ? 0 : dh; // 32 columns (a split's share of 64): two blocks of 16
  if (dense) for (; c + 24 <= end24; c += 24) cols24(acc + (<usize>c << 2), vTable, col + (<usize>c << 2), vRow, B, w, j0, j1, true);
  else for (; c + 24 <= end24; c += 24) cols24(acc + (<usize>c << 2), vTable, col + (<usize>c << 2), vRow, B, w, j0, j1, false);
  if (dense) for (; c + 16 <= dh; c += 16) cols16(acc + (<usize>c << 2), vTable, col + (<usize>c << 2), vRow, B, w, j0, j1, true);
  else for (; c + 16 <= dh; c += 16) cols16(acc + (<usize>c << 2), vTable, col + (<usize>c << 2), vRow, B, w, j0, j1, false);
  if (c < dh) colsNarrow(acc, vTable, col, vRow, B, dh, c, w, j0, j1);
}

/**
 * acc [dh] += Σ_{s <= j < e} w[j] · v_j, v_j row j % B of block j / B (vTable, col: the head's byte
 * column offset, vRow: bytes between a block's rows).
 */
export function accumulateBlocks(acc: usize, vTable: usize, col: usize, vRow: usize, B: i32, dh: i32, w: usize, s: i32, e: i32): void {
  // chunks end on block boundaries (at least CHUNK keys, or what is left)
  const per = max(1, CHUNK / B) * B;
  for (let j0 = s; j0 < e; ) {
    const j1 = min(e, (j0 / B) * B + per);
    chunkColumns(acc, vTable, col, vRow, B, dh, w, j0, j1);
    j0 = j1;
  }
}
