// The eight-output blocks `matvec` ran the model's widths with before its six-output blocks (matvec.ts):
// the same bits, ~1.3x slower with FMA (V8 keeps one of the eight accumulators on the stack). Kept only so
// the speed script can time the library's earlier decode path in the same process (setDecodeBaseline).
import { finish4 } from "./epilogue";
import { hsum4, madd } from "./simd";

/** Eight outputs of a row of n = 64 over contiguous weight rows (256 B apart): loads at constant offsets. */
export function block8x64(x: usize, w0: usize, dst: usize, b: usize, flags: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const end = x + 256;
  for (let xp = x, wp = w0; xp < end; xp += 16, wp += 16) {
    const u = v128.load(xp);
    a0 = madd(a0, u, v128.load(wp, 0));
    a1 = madd(a1, u, v128.load(wp, 256));
    a2 = madd(a2, u, v128.load(wp, 512));
    a3 = madd(a3, u, v128.load(wp, 768));
    a4 = madd(a4, u, v128.load(wp, 1024));
    a5 = madd(a5, u, v128.load(wp, 1280));
    a6 = madd(a6, u, v128.load(wp, 1536));
    a7 = madd(a7, u, v128.load(wp, 1792));
  }
  finish4(hsum4(a0, a1, a2, a3), b, dst, flags);
  finish4(hsum4(a4, a5, a6, a7), b ? b + 16 : 0, dst + 16, flags);
}

/** Eight outputs of a row of n = 128 over contiguous weight rows (512 B apart): loads at constant offsets. */
export function block8x128(x: usize, w0: usize, dst: usize, b: usize, flags: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const end = x + 512;
  for (let xp = x, wp = w0; xp < end; xp += 16, wp += 16) {
    const u = v128.load(xp);
    a0 = madd(a0, u, v128.load(wp, 0));
    a1 = madd(a1, u, v128.load(wp, 512));
    a2 = madd(a2, u, v128.load(wp, 1024));
    a3 = madd(a3, u, v128.load(wp, 1536));
    a4 = madd(a4, u, v128.load(wp, 2048));
    a5 = madd(a5, u, v128.load(wp, 2560));
    a6 = madd(a6, u, v128.load(wp, 3072));
    a7 = madd(a7, u, v128.load(wp, 3584));
  }
  finish4(hsum4(a0, a1, a2, a3), b, dst, flags);
  finish4(hsum4(a4, a5, a6, a7), b ? b + 16 : 0, dst + 16, flags);
}
