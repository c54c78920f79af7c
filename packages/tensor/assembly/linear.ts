// linear: out[i, j] = act(Σ_p x[i, p]·w[j, p] + bias[j]), optionally added to what out holds (a residual).
// Every element is one `dot` (simd.ts order) plus the bias, whatever block computed it, so a row's result
// does not depend on how many rows share the call.
import { matvec } from "./matvec";
import { finish, finish4 } from "./epilogue";
import { dot, dotTail4, hsum4, madd } from "./simd";

/**
 * x [T, n] (row stride xs) · w [m, n]ᵀ (row stride ws) + bias [m] (0 for none) -> out [T, m] (row stride os).
 * Strides are in elements; the last axis of every operand is contiguous.
 */
export function linear(x: usize, xs: i32, w: usize, ws: i32, bias: usize, out: usize, os: i32, T: i32, n: i32, m: i32, flags: i32): void {
  const n4 = n & ~3;
  const m4 = m & ~3;
  const wRow = (<usize>ws) << 2;
  let i = 0;
  // two rows at a time, four outputs at a time: 8 accumulators, 6 loads per 8 multiply-adds; chunks two at a
  // time through immediate load offsets (half the address arithmetic), each accumulator still summing its
  // chunks in ascending order; the four outputs of a row finish together (hsum4, vector bias/ReLU/residual).
  for (; i + 2 <= T; i += 2) {
    const x0 = x + ((<usize>i * <usize>xs) << 2), x1 = x0 + ((<usize>xs) << 2);
    const o0 = out + ((<usize>i * <usize>os) << 2), o1 = o0 + ((<usize>os) << 2);
    for (let j = 0; j < m4; j += 4) {
      const w0 = w + <usize>j * wRow, w1 = w0 + wRow, w2 = w1 + wRow, w3 = w2 + wRow;
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
      let p = 0;
      for (; p < n4; p += 4) {
        const o = <usize>p << 2;
        const u = v128.load(x0 + o), v = v128.load(x1 + o);
        const b0 = v128.load(w0 + o), b1 = v128.load(w1 + o), b2 = v128.load(w2 + o), b3 = v128.load(w3 + o);
        a00 = madd(a00, u, b0); a01 = madd(a01, u, b1);
        a02 = madd(a02, u, b2); a03 = madd(a03, u, b3);
        a10 = madd(a10, v, b0); a11 = madd(a11, v, b1);
        a12 = madd(a12, v, b2); a13 = madd(a13, v, b3);
      }
      const c = <usize>j << 2;
      let s0 = hsum4(a00, a01, a02, a03), s1 = hsum4(a10, a11, a12, a13);
      if (n4 < n) {
        s0 = dotTail4(s0, x0, w0, w1, w2, w3, n4, n);
        s1 = dotTail4(s1, x1, w0, w1, w2, w3, n4, n);
      }
      finish4(s0, bias ? bias + c : 0, o0 + c, flags);
      finish4(s1, bias ? bias + c : 0, o1 + c, flags);
    }
    for (let j = m4; j < m; j++) {
      const wj = w + <usize>j * wRow;
      finish(dot(x0, wj, n), bias, j, o0 + (<usize>j << 2), flags);
      finish(dot(x1, wj, n), bias, j, o1 + (<usize>j << 2), flags);
    }
  }
  // a last single row (decode): the matrix-vector kernel, which computes every element in the same order
  for (; i < T; i++) matvec(x + ((<usize>i * <usize>xs) << 2), w, ws, bias, out + ((<usize>i * <usize>os) << 2), n, m, flags);
}
