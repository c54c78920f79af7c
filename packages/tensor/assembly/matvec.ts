// matvec: one row of `linear` (a decode step), out[j] = act(Σ_p x[p]·w[j, p] + bias[j]) (+ out[j]).
// Each output is the same `dot` as in linear (simd.ts order: four-lane partial sums over whole chunks,
// (l0+l1)+(l2+l3), then the scalar tail), so the bits equal linear's. Several outputs at a time (six for
// the model's widths, eight otherwise); their horizontal sums, the bias, ReLU and the residual add are done
// four lanes at a time (hsum4 keeps hsum's order per lane; lane-wise add and max are the scalar ops).
import { ACCUMULATE, finish, finish4, RELU } from "./epilogue";
import { block8x128, block8x64 } from "./matvec-baseline";
import { dot, dotTail4, hsum4, madd } from "./simd";

/** A flag: the model's widths in the earlier eight-output blocks (the speed script's baseline). */
export const EIGHT_ROWS: i32 = 4;


/** finish4 for two consecutive outputs: lanes 0 and 1 of s, the same operations lane by lane. */
@inline function finish2(s: v128, bias: usize, dst: usize, flags: i32): void {
  if (bias) s = f32x4.add(s, v128.load64_zero(bias));
  if (flags & RELU) s = f32x4.max(s, f32x4.splat(0));
  if (flags & ACCUMULATE) s = f32x4.add(v128.load64_zero(dst), s);
  v128.store64_lane(dst, s, 0);
}

// The model's widths, weights packed (rows n·4 bytes apart): six outputs at a time, loads at constant
// offsets. Six accumulators, not eight: with eight V8 keeps one on the stack, and that accumulator's
// store-reload each chunk becomes the loop's critical path (1.3x slower with FMA).

/** Six outputs of a row of n = 64 over contiguous weight rows (256 B apart). */
function block6x64(x: usize, w0: usize, dst: usize, b: usize, flags: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0);
  const end = x + 256;
  for (let xp = x, wp = w0; xp < end; xp += 16, wp += 16) {
    const u = v128.load(xp);
    a0 = madd(a0, u, v128.load(wp, 0));
    a1 = madd(a1, u, v128.load(wp, 256));
    a2 = madd(a2, u, v128.load(wp, 512));
    a3 = madd(a3, u, v128.load(wp, 768));
    a4 = madd(a4, u, v128.load(wp, 1024));
    a5 = madd(a5, u, v128.load(wp, 1280));
  }
  finish4(hsum4(a0, a1, a2, a3), b, dst, flags);
  finish2(hsum4(a4, a5, a4, a5), b ? b + 16 : 0, dst + 16, flags);
}

/** Six outputs of a row of n = 128 over contiguous weight rows (512 B apart). */
function block6x128(x: usize, w0: usize, dst: usize, b: usize, flags: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0);
  const end = x + 512;
  for (let xp = x, wp = w0; xp < end; xp += 16, wp += 16) {
    const u = v128.load(xp);
    a0 = madd(a0, u, v128.load(wp, 0));
    a1 = madd(a1, u, v128.load(wp, 512));
    a2 = madd(a2, u, v128.load(wp, 1024));
    a3 = madd(a3, u, v128.load(wp, 1536));
    a4 = madd(a4, u, v128.load(wp, 2048));
    a5 = madd(a5, u, v128.load(wp, 2560));
  }
  finish4(hsum4(a0, a1, a2, a3), b, dst, flags);
  finish2(hsum4(a4, a5, a4, a5), b ? b + 16 : 0, dst + 16, flags);
}

/** Four outputs of a row of n (a multiple of 4) over contiguous weight rows wRow bytes apart. */
function block4(x: usize, w0: usize, wRow: usize, n: i32, dst: usize, b: usize, flags: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const w1 = w0 + wRow, w2 = w1 + wRow, w3 = w2 + wRow;
  for (let p = 0; p < n; p += 4) {
    const o = <usize>p << 2;
    const u = v128.load(x + o);
    a0 = madd(a0, u, v128.load(w0 + o)); a1 = madd(a1, u, v128.load(w1 + o));
    a2 = madd(a2, u, v128.load(w2 + o)); a3 = madd(a3, u, v128.load(w3 + o));
  }
  finish4(hsum4(a0, a1, a2, a3), b, dst, flags);
}

/** x [n] · w [m, n]ᵀ (row stride ws, elements) + bias [m] (0 for none) -> out [m]; flags as linear's. */
export function matvec(x: usize, w: usize, ws: i32, bias: usize, out: usize, n: i32, m: i32, flags: i32): void {
  const n4 = n & ~3;
  const wRow = (<usize>ws) << 2;
  let j = 0;
  if (ws == n && (n == 64 || n == 128) && (flags & EIGHT_ROWS)) { // the earlier blocks (matvec-baseline.ts)
    for (; j + 8 <= m; j += 8) {
      const w0 = w + <usize>j * wRow, dst = out + (<usize>j << 2), b = bias ? bias + (<usize>j << 2) : 0;
      if (n == 64) block8x64(x, w0, dst, b, flags);
      else block8x128(x, w0, dst, b, flags);
    }
  } else if (ws == n && (n == 64 || n == 128)) { // the model's widths, weights packed: constant-offset loads
    for (; j + 6 <= m; j += 6) {
      const w0 = w + <usize>j * wRow, dst = out + (<usize>j << 2), b = bias ? bias + (<usize>j << 2) : 0;
      if (n == 64) block6x64(x, w0, dst, b, flags);
      else block6x128(x, w0, dst, b, flags);
    }
    if (j + 4 <= m) {
      block4(x, w + <usize>j * wRow, wRow, n, out + (<usize>j << 2), bias ? bias + (<usize>j << 2) : 0, flags);
      j += 4;
    }
  }
  for (; j + 8 <= m; j += 8) {
    const w0 = w + <usize>j * wRow, w1 = w0 + wRow, w2 = w1 + wRow, w3 = w2 + wRow;
    const w4 = w3 + wRow, w5 = w4 + wRow, w6 = w5 + wRow, w7 = w6 + wRow;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    for (let p = 0; p < n4; p += 4) {
      const o = <usize>p << 2;
      const u = v128.load(x + o);
      a0 = madd(a0, u, v128.load(w0 + o)); a1 = madd(a1, u, v128.load(w1 + o));
      a2 = madd(a2, u, v128.load(w2 + o)); a3 = madd(a3, u, v128.load(w3 + o));
      a4 = madd(a4, u, v128.load(w4 + o)); a5 = madd(a5, u, v128.load(w5 + o));
      a6 = madd(a6, u, v128.load(w6 + o)); a7 = madd(a7, u, v128.load(w7 + o));
    }
    const dst = out + (<usize>j << 2), b = bias ? bias + (<usize>j << 2) : 0;
    finish4(dotTail4(hsum4(a0, a1, a2, a3), x, w0, w1, w2, w3, n4, n), b, dst, flags);
    finish4(dotTail4(hsum4(a4, a5, a6, a7), x, w4, w5, w6, w7, n4, n), b ? b + 16 : 0, dst + 16, flags);
  }
  for (; j < m; j++) finish(dot(x, w + <usize>j * wRow, n), bias, j, out + (<usize>j << 2), flags);
}
