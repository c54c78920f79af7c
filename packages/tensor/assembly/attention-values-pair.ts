// The value pass of two query rows together. Each row's weights are +0 outside its two key ranges
// [x0, x1) then [x2, x3) (ascending, disjoint, possibly empty). The key axis is cut at every range end
// of either row and the pieces are visited in ascending order: a piece both rows need goes through
// accumulateValues2 (one load of each value vector for both rows), a piece only one row needs through
// accumulateValues for that row. So each row's columns still sum exactly its own keys in ascending
// order, with the same +0 skips, as when it goes alone: the same bits.
import { accumulateValues, accumulateValues2, zeroRow } from "./attention-values";

const NONE = i32.MAX_VALUE;

/** Whether j lies in [x0, x1) or [x2, x3). */
@inline function inside(j: i32, x0: i32, x1: i32, x2: i32, x3: i32): bool {
  return (x0 <= j && j < x1) || (x2 <= j && j < x3);
}

/** The smallest end of a nonempty range among [x0, x1), [x2, x3) that is > j (NONE if none). */
@inline function nextCut(j: i32, x0: i32, x1: i32, x2: i32, x3: i32): i32 {
  let n = NONE;
  if (x0 < x1) {
    if (x0 > j) n = min(n, x0);
    if (x1 > j) n = min(n, x1);
  }
  if (x2 < x3) {
    if (x2 > j) n = min(n, x2);
    if (x3 > j) n = min(n, x3);
  }
  return n;
}

/**
 * oa [dh] := Σ wa[j] · v_j over [a0, a1) ∪ [a2, a3) and ob [dh] := Σ wb[j] · v_j over [b0, b1) ∪ [b2, b3),
 * v [S, dh] with rows vRow bytes apart (unscaled: the caller scales each row).
 */
export function valuesPair(
  oa: usize, ob: usize, v: usize, vRow: usize, dh: i32, wa: usize, wb: usize,
  a0: i32, a1: i32, a2: i32, a3: i32, b0: i32, b1: i32, b2: i32, b3: i32,
): void {
  zeroRow(oa, dh);
  zeroRow(ob, dh);
  let j = -1; // every range starts at >= 0
  while (true) {
    const from = j < 0 ? min(nextCut(j, a0, a1, a2, a3), nextCut(j, b0, b1, b2, b3)) : j;
    if (from == NONE) return;
    const to = min(nextCut(from, a0, a1, a2, a3), nextCut(from, b0, b1, b2, b3));
    if (to == NONE) return;
    const inA = inside(from, a0, a1, a2, a3), inB = inside(from, b0, b1, b2, b3);
    if (inA && inB) accumulateValues2(oa, ob, v, vRow, dh, wa, wb, from, to);
    else if (inA) accumulateValues(oa, v, vRow, dh, wa, from, to);
    else if (inB) accumulateValues(ob, v, vRow, dh, wb, from, to);
    j = to;
  }
}
