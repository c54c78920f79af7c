// The value pass of the fused attention: acc += Σ_j e_j · v_j over one index range of keys, in ascending
// key order with the keys whose weight is +0 (hidden, or exp underflowed; weights are never -0) skipped,
// one running sum per output column. Keys go in chunks of CHUNK: every column block of a chunk's value
// rows is read while the rows are in L1, so V is swept once, sequentially; each column's sum still sees
// the keys in order. Column blocks of 24 then 16 (6 or 4 accumulators) keep accumulators, loads and the
// weight within V8's 15 usable xmm registers: at 8 accumulators it spills one to the stack every key.
// A chunk with no +0 weight (the common case) runs without the per-key test: the same adds, fewer branches.
// Two query rows can share the pass (accumulateValues2): each value vector loaded feeds both rows' sums,
// and each row's column sums still see exactly its own keys in ascending order, so its bits do not depend
// on whether it went alone or in a pair.

import { madd } from "./simd";

const CHUNK = 32;

/** True when no weight in w [j0, j1) is +0 (weights are never -0, so testing the bits is enough). */
@inline function noZero(w: usize, j0: i32, j1: i32): bool {
  let zero = i32x4.splat(0);
  let j = j0;
  for (; j + 4 <= j1; j += 4) zero = v128.or(zero, i32x4.eq(v128.load(w + (<usize>j << 2)), i32x4.splat(0)));
  let ok = !v128.any_true(zero);
  for (; j < j1; j++) ok = ok && load<i32>(w + (<usize>j << 2)) != 0;
  return ok;
}

/**
 * Columns [c, c + 24) of acc += Σ_{j0 <= j < j1} w[j] · v_j, keys ascending (oc, vc: acc and v at column c).
 * dense: no weight is +0 (checked by the caller), so the per-key test goes; else keys of weight +0 are skipped.
 */
@inline function block24(oc: usize, vc: usize, vRow: usize, w: usize, j0: i32, j1: i32, dense: bool): void {
  let b0 = v128.load(oc), b1 = v128.load(oc, 16), b2 = v128.load(oc, 32), b3 = v128.load(oc, 48);
  let b4 = v128.load(oc, 64), b5 = v128.load(oc, 80);
  let vr = vc + <usize>j0 * vRow;
  const wEnd = w + (<usize>j1 << 2);
  for (let at = w + (<usize>j0 << 2); at < wEnd; at += 4, vr += vRow) {
    if (!dense && load<i32>(at) == 0) continue; // weight +0 (no float register needed for the test)
    const e4 = v128.load32_splat(at);
    b0 = madd(b0, e4, v128.load(vr)); b1 = madd(b1, e4, v128.load(vr, 16));
    b2 = madd(b2, e4, v128.load(vr, 32)); b3 = madd(b3, e4, v128.load(vr, 48));
    b4 = madd(b4, e4, v128.load(vr, 64)); b5 = madd(b5, e4, v128.load(vr, 80));
  }
  v128.store(oc, b0); v128.store(oc, b1, 16); v128.store(oc, b2, 32); v128.store(oc, b3, 48);
  v128.store(oc, b4, 64); v128.store(oc, b5, 80);
}

/** block24 for columns [c, c + 16). */
@inline function block16(oc: usize, vc: usize, vRow: usize, w: usize, j0: i32, j1: i32, dense: bool): void {
  let b0 = v128.load(oc), b1 = v128.load(oc, 16), b2 = v128.load(oc, 32), b3 = v128.load(oc, 48);
  let vr = vc + <usize>j0 * vRow;
  const wEnd = w + (<usize>j1 << 2);
  for (let at = w + (<usize>j0 << 2); at < wEnd; at += 4, vr += vRow) {
    if (!dense && load<i32>(at) == 0) continue;
    const e4 = v128.load32_splat(at);
    b0 = madd(b0, e4, v128.load(vr)); b1 = madd(b1, e4, v128.load(vr, 16));
    b2 = madd(b2, e4, v128.load(vr, 32)); b3 = madd(b3, e4, v128.load(vr, 48));
  }
  v128.store(oc, b0); v128.store(oc, b1, 16); v128.store(oc, b2, 32); v128.store(oc, b3, 48);
}

/**
 * Columns [c, c + 16) of two rows at once: a += Σ wa[j] · v_j and b += Σ wb[j] · v_j over j0 <= j < j1,
 * keys ascending, no weight +0 in either row (the caller checks). Each value vector is loaded once for
 * both rows; each accumulator sees the same adds in the same order as block16 would give it.
 * 8 accumulators + 2 weights + the value vector: within V8's 15 xmm registers.
 */
@inline function block16x2(oa: usize, ob: usize, vc: usize, vRow: usize, wa: usize, wb: usize, j0: i32, j1: i32): void {
  let a0 = v128.load(oa), a1 = v128.load(oa, 16), a2 = v128.load(oa, 32), a3 = v128.load(oa, 48);
  let b0 = v128.load(ob), b1 = v128.load(ob, 16), b2 = v128.load(ob, 32), b3 = v128.load(ob, 48);
  let vr = vc + <usize>j0 * vRow;
  const dw = wb - wa, wEnd = wa + (<usize>j1 << 2);
  for (let at = wa + (<usize>j0 << 2); at < wEnd; at += 4, vr += vRow) {
    const ea = v128.load32_splat(at), eb = v128.load32_splat(at + dw);
    let x = v128.load(vr);
    a0 = madd(a0, ea, x); b0 = madd(b0, eb, x);
    x = v128.load(vr, 16);
    a1 = madd(a1, ea, x); b1 = madd(b1, eb, x);
    x = v128.load(vr, 32);
    a2 = madd(a2, ea, x); b2 = madd(b2, eb, x);
    x = v128.load(vr, 48);
    a3 = madd(a3, ea, x); b3 = madd(b3, eb, x);
  }
  v128.store(oa, a0); v128.store(oa, a1, 16); v128.store(oa, a2, 32); v128.store(oa, a3, 48);
  v128.store(ob, b0); v128.store(ob, b1, 16); v128.store(ob, b2, 32); v128.store(ob, b3, 48);
}

/** Columns [c, dh) of acc += Σ_{j0 <= j < j1} w[j] · v_j for one chunk of keys, ascending, +0 weights skipped. */
function chunkColumns(acc: usize, v: usize, vRow: usize, c: i32, dh: i32, w: usize, j0: i32, j1: i32): void {
  const dense = noZero(w, j0, j1);
  // six accumulators: with the six loads and the weight, 13 registers; 32 columns (a split's share of 64)
  // go as two blocks of 16, not 24 and two of 4
  const end24 = dh - c == 32 ? c : dh;
  if (dense) for (; c + 24 <= end24; c += 24) block24(acc + (<usize>c << 2), v + (<usize>c << 2), vRow, w, j0, j1, true);
  else for (; c + 24 <= end24; c += 24) block24(acc + (<usize>c << 2), v + (<usize>c << 2), vRow, w, j0, j1, false);
  // four accumulators: with the four rows' loads, all in registers
  if (dense) for (; c + 16 <= dh; c += 16) block16(acc + (<usize>c << 2), v + (<usize>c << 2), vRow, w, j0, j1, true);
  else for (; c + 16 <= dh; c += 16) block16(acc + (<usize>c << 2), v + (<usize>c << 2), vRow, w, j0, j1, false);
  for (; c + 4 <= dh; c += 4) {
    const oc = acc + (<usize>c << 2), vc = v + (<usize>c << 2);
    let b0 = v128.load(oc);
    for (let j = j0; j < j1; j++) {
      const e = load<f32>(w + (<usize>j << 2));
      if (e == 0) continue;
      b0 = madd(b0, f32x4.splat(e), v128.load(vc + <usize>j * vRow));
    }
    v128.store(oc, b0);
  }
  for (; c < dh; c++) {
    const oc = acc + (<usize>c << 2), vc = v + (<usize>c << 2);
    let b = load<f32>(oc);
    for (let j = j0; j < j1; j++) {
      const e = load<f32>(w + (<usize>j << 2));
      if (e == 0) continue;
      b += e * load<f32>(vc + <usize>j * vRow);
    }
    store<f32>(oc, b);
  }
}

/**
 * acc [dh] += Σ_{start <= j < end} w[j] · v_j, v [S, dh] with rows vRow bytes apart, w the row's weights.
 * acc is the output row: loaded and stored around every chunk.
 */
export function accumulateValues(acc: usize, v: usize, vRow: usize, dh: i32, w: usize, start: i32, end: i32): void {
  for (let j0 = start; j0 < end; j0 += CHUNK) chunkColumns(acc, v, vRow, 0, dh, w, j0, min(j0 + CHUNK, end));
}

/**
 * accumulateValues for two rows over the same keys [start, end): a += Σ wa[j] · v_j, b += Σ wb[j] · v_j.
 * A chunk where neither row has a +0 weight goes through block16x2 for the columns it covers (the rest
 * per row); any other chunk goes per row. Either way each row's columns see their keys in ascending
 * order with the same skips, chunk after chunk, so each row gets accumulateValues's bits.
 */
export function accumulateValues2(a: usize, b: usize, v: usize, vRow: usize, dh: i32, wa: usize, wb: usize, start: i32, end: i32): void {
  const d16 = dh & ~15;
  for (let j0 = start; j0 < end; j0 += CHUNK) {
    const j1 = min(j0 + CHUNK, end);
    let c = 0;
    if (noZero(wa, j0, j1) && noZero(wb, j0, j1)) {
      for (; c < d16; c += 16) block16x2(a + (<usize>c << 2), b + (<usize>c << 2), v + (<usize>c << 2), vRow, wa, wb, j0, j1);
    }
    if (c < dh) {
      chunkColumns(a, v, vRow, c, dh, wa, j0, j1);
      chunkColumns(b, v, vRow, c, dh, wb, j0, j1);
    }
  }
}

/** row [n] = 0. */
export function zeroRow(row: usize, n: i32): void {
  let c = 0;
  for (; c + 4 <= n; c += 4) v128.store(row + (<usize>c << 2), f32x4.splat(0));
  for (; c < n; c++) store<f32>(row + (<usize>c << 2), 0);
}

/** row [n] *= s. */
export function scaleRow(row: usize, n: i32, s: f32): void {
  const s4 = f32x4.splat(s);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = row + (<usize>c << 2);
    v128.store(at, f32x4.mul(v128.load(at), s4));
  }
  for (; c < n; c++) store<f32>(row + (<usize>c << 2), load<f32>(row + (<usize>c << 2)) * s);
}
