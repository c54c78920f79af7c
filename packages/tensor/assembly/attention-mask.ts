// Which keys a query row sees. Key j sits at position kp = pos[j]; the query at position qp sees it when
//   kp <= qp && (qp - kp < window || kp < sinks),  i.e.  kp <= qp && (kp >= lowW || kp < sinks)
// with lowW = qp - window + 1. When the positions are consecutive (pos[j] = p0 + j: the full cache,
// prefill, recompute) the visible keys lie in at most two index ranges (the sinks, then the window), so a
// row visits only those; otherwise it visits every key. Either way each key is tested on its own, so the
// ranges only decide which fully hidden keys are never touched.

@inline export function visible(kp: i32, qp: i32, lowW: i32, sinks: i32): bool {
  return kp <= qp && (kp >= lowW || kp < sinks);
}

/** visible() for four keys: all-ones lanes where kp [4 x i32] is visible. */
@inline export function visible4(kp: v128, qp: v128, lowW: v128, sinks: v128): v128 {
  return v128.and(i32x4.le_s(kp, qp), v128.or(i32x4.ge_s(kp, lowW), i32x4.lt_s(kp, sinks)));
}

@inline function clampI32(x: i64): i32 {
  return <i32>max<i64>(min<i64>(x, i32.MAX_VALUE), i32.MIN_VALUE);
}

/** lowW for a query at qp: qp - window + 1, clamped to i32. */
@inline export function windowStart(qp: i32, window: i32): i32 {
  return clampI32(<i64>qp - <i64>window + 1);
}

/** True when pos[j] = pos[0] + j for every j < S (and p0 + S fits in i32). */
export function consecutive(pos: usize, S: i32): bool {
  if (S <= 0) return true;
  const p0 = load<i32>(pos);
  if (<i64>p0 + <i64>S > <i64>i32.MAX_VALUE) return false;
  const S4 = S & ~3;
  const four = i32x4.splat(4);
  let want = i32x4.add(i32x4.splat(p0), i32x4(0, 1, 2, 3));
  let bad = i32x4.splat(0);
  for (let j = 0; j < S4; j += 4) {
    bad = v128.or(bad, i32x4.ne(v128.load(pos + (<usize>j << 2)), want));
    want = i32x4.add(want, four);
  }
  if (v128.any_true(bad)) return false;
  for (let j = S4; j < S; j++) if (load<i32>(pos + (<usize>j << 2)) != p0 + j) return false;
  return true;
}

// The index ranges a row visits, [start0, end0) then [start1, end1): starts 8-aligned, ascending, disjoint
// after rounding end0 up to 8. Set by segments().
export let start0: i32 = 0;
export let end0: i32 = 0;
export let start1: i32 = 0;
export let end1: i32 = 0;

/**
 * The ranges holding every key the query at qp may see among S keys: all of [0, S) unless the positions are
 * consecutive from p0, then the sinks [0, a) and the window [b0, b1) (index space, clipped to [0, S)).
 */
export function segments(consec: bool, p0: i32, S: i32, qp: i32, lowW: i32, sinks: i32): void {
  start1 = end1 = 0;
  if (!consec) {
    start0 = 0;
    end0 = S;
    return;
  }
  const top = <i64>qp + 1 - <i64>p0; // keys at index < top are at or before the query
  const a = <i32>max<i64>(min<i64>(min<i64>(<i64>sinks - <i64>p0, top), S), 0);
  const b0 = <i32>max<i64>(min<i64>(<i64>lowW - <i64>p0, S), 0);
  const b1 = <i32>max<i64>(min<i64>(top, S), 0);
  if (b0 >= b1) { // no window keys: the sinks only
    start0 = 0;
    end0 = a;
  } else if (a == 0) {
    start0 = b0 & ~7;
    end0 = b1;
  } else if ((b0 & ~7) <= ((a + 7) & ~7)) { // the two ranges share or touch a block of 8
    start0 = 0;
    end0 = max(a, b1);
  } else {
    start0 = 0;
    end0 = a;
    start1 = b0 & ~7;
    end1 = b1;
  }
}
