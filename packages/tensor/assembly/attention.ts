// Fused attention of T queries over S keys, one head: for each query row i at position qStart + i,
//   s_j = (q_i · k_j) · scale for the keys it may see (causal, optional window and sinks), -inf otherwise
//   out_i = Σ_j exp(s_j - max) · v_j / Σ_j exp(s_j - max)
// in one pass per row, without writing the [T, S] score matrix anywhere but a reused scratch row.
// Each key's score is one `dot` (simd.ts order) and the sums run over keys in ascending order with the
// masked ones skipped, so a query row gets the same bits however many rows and masked keys the call has.
import { expx4 } from "./exp";
import { dotTail, hsum, hmax } from "./simd";

@inline function visible(qp: i32, kp: i32, window: i32, sinks: i32): bool {
  return kp <= qp && (qp - kp < window || kp < sinks);
}

/**
 * q [T, dh] (row stride qs), k [S, dh] (ks), v [S, dh] (vs) -> out [T, dh] (os); strides in elements.
 * pos: S i32 key positions. scores: scratch for (S + 3) & ~3 floats.
 * Returns 0, or i + 1 when query row i sees no key at all, or -(i + 1) when its scores hold a NaN.
 */
export function attention(
  q: usize, qs: i32, k: usize, ks: i32, v: usize, vs: i32, out: usize, os: i32,
  T: i32, S: i32, dh: i32, scale: f32, qStart: i32, pos: usize, window: i32, sinks: i32, scores: usize,
): i32 {
  const d4 = dh & ~3;
  const kRow = (<usize>ks) << 2, vRow = (<usize>vs) << 2;
  const S4 = (S + 3) & ~3;
  const S8 = S & ~7;
  const NEG_INF = f32x4.splat(-Infinity);
  for (let i = 0; i < T; i++) {
    const qr = q + ((<usize>i * <usize>qs) << 2);
    const qp = qStart + i;
    // ---- scores, eight keys at a time ----
    let j = 0;
    for (; j < S8; j += 8) {
      let any = false;
      for (let u = 0; u < 8; u++) any = any || visible(qp, load<i32>(pos + (<usize>(j + u) << 2)), window, sinks);
      const dst = scores + (<usize>j << 2);
      if (!any) {
        v128.store(dst, NEG_INF);
        v128.store(dst, NEG_INF, 16);
        continue;
      }
      const k0 = k + <usize>j * kRow, k1 = k0 + kRow, k2 = k1 + kRow, k3 = k2 + kRow;
      const k4 = k3 + kRow, k5 = k4 + kRow, k6 = k5 + kRow, k7 = k6 + kRow;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
      for (let p = 0; p < d4; p += 4) {
        const o = <usize>p << 2;
        const x = v128.load(qr + o);
        a0 = f32x4.add(a0, f32x4.mul(x, v128.load(k0 + o))); a1 = f32x4.add(a1, f32x4.mul(x, v128.load(k1 + o)));
        a2 = f32x4.add(a2, f32x4.mul(x, v128.load(k2 + o))); a3 = f32x4.add(a3, f32x4.mul(x, v128.load(k3 + o)));
        a4 = f32x4.add(a4, f32x4.mul(x, v128.load(k4 + o))); a5 = f32x4.add(a5, f32x4.mul(x, v128.load(k5 + o)));
        a6 = f32x4.add(a6, f32x4.mul(x, v128.load(k6 + o))); a7 = f32x4.add(a7, f32x4.mul(x, v128.load(k7 + o)));
      }
      store<f32>(dst, dotTail(hsum(a0), qr, k0, d4, dh) * scale);
      store<f32>(dst, dotTail(hsum(a1), qr, k1, d4, dh) * scale, 4);
      store<f32>(dst, dotTail(hsum(a2), qr, k2, d4, dh) * scale, 8);
      store<f32>(dst, dotTail(hsum(a3), qr, k3, d4, dh) * scale, 12);
      store<f32>(dst, dotTail(hsum(a4), qr, k4, d4, dh) * scale, 16);
      store<f32>(dst, dotTail(hsum(a5), qr, k5, d4, dh) * scale, 20);
      store<f32>(dst, dotTail(hsum(a6), qr, k6, d4, dh) * scale, 24);
      store<f32>(dst, dotTail(hsum(a7), qr, k7, d4, dh) * scale, 28);
      for (let u = 0; u < 8; u++) {
        if (!visible(qp, load<i32>(pos + (<usize>(j + u) << 2)), window, sinks)) store<f32>(dst + (<usize>u << 2), -Infinity);
      }
    }
    for (; j < S; j++) {
      const dst = scores + (<usize>j << 2);
      if (!visible(qp, load<i32>(pos + (<usize>j << 2)), window, sinks)) {
        store<f32>(dst, -Infinity);
        continue;
      }
      const kj = k + <usize>j * kRow;
      let acc = f32x4.splat(0);
      for (let p = 0; p < d4; p += 4) {
        const o = <usize>p << 2;
        acc = f32x4.add(acc, f32x4.mul(v128.load(qr + o), v128.load(kj + o)));
      }
      store<f32>(dst, dotTail(hsum(acc), qr, kj, d4, dh) * scale);
    }
    for (; j < S4; j++) store<f32>(scores + (<usize>j << 2), -Infinity); // padding to whole vectors

    // ---- softmax numerator and denominator ----
    let mx = NEG_INF;
    for (let c = 0; c < S4; c += 4) mx = f32x4.max(mx, v128.load(scores + (<usize>c << 2)));
    const top = hmax(mx);
    if (top == -Infinity) return i + 1;
    if (isNaN(top)) return -(i + 1);
    const top4 = f32x4.splat(top);
    let sum4 = f32x4.splat(0);
    for (let c = 0; c < S4; c += 4) {
      const at = scores + (<usize>c << 2);
      const s = v128.load(at);
      const e = v128.and(expx4(f32x4.sub(s, top4)), f32x4.ne(s, NEG_INF)); // masked -> exactly 0
      v128.store(at, e);
      sum4 = f32x4.add(sum4, e);
    }
    const inv = f32x4.splat(1 / hsum(sum4));

    // ---- out_i = Σ_j e_j · v_j / sum, 32 columns at a time ----
    const or = out + ((<usize>i * <usize>os) << 2);
    let c = 0;
    for (; c + 32 <= dh; c += 32) {
      const vc = v + (<usize>c << 2);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
      let b4 = f32x4.splat(0), b5 = f32x4.splat(0), b6 = f32x4.splat(0), b7 = f32x4.splat(0);
      for (let jj = 0; jj < S; jj++) {
        const e = load<f32>(scores + (<usize>jj << 2));
        if (e == 0) continue;
        const e4 = f32x4.splat(e);
        const vr = vc + <usize>jj * vRow;
        b0 = f32x4.add(b0, f32x4.mul(e4, v128.load(vr))); b1 = f32x4.add(b1, f32x4.mul(e4, v128.load(vr, 16)));
        b2 = f32x4.add(b2, f32x4.mul(e4, v128.load(vr, 32))); b3 = f32x4.add(b3, f32x4.mul(e4, v128.load(vr, 48)));
        b4 = f32x4.add(b4, f32x4.mul(e4, v128.load(vr, 64))); b5 = f32x4.add(b5, f32x4.mul(e4, v128.load(vr, 80)));
        b6 = f32x4.add(b6, f32x4.mul(e4, v128.load(vr, 96))); b7 = f32x4.add(b7, f32x4.mul(e4, v128.load(vr, 112)));
      }
      const oc = or + (<usize>c << 2);
      v128.store(oc, f32x4.mul(b0, inv)); v128.store(oc, f32x4.mul(b1, inv), 16);
      v128.store(oc, f32x4.mul(b2, inv), 32); v128.store(oc, f32x4.mul(b3, inv), 48);
      v128.store(oc, f32x4.mul(b4, inv), 64); v128.store(oc, f32x4.mul(b5, inv), 80);
      v128.store(oc, f32x4.mul(b6, inv), 96); v128.store(oc, f32x4.mul(b7, inv), 112);
    }
    for (; c + 4 <= dh; c += 4) {
      const vc = v + (<usize>c << 2);
      let b0 = f32x4.splat(0);
      for (let jj = 0; jj < S; jj++) {
        const e = load<f32>(scores + (<usize>jj << 2));
        if (e == 0) continue;
        b0 = f32x4.add(b0, f32x4.mul(f32x4.splat(e), v128.load(vc + <usize>jj * vRow)));
      }
      v128.store(or + (<usize>c << 2), f32x4.mul(b0, inv));
    }
    const invS = f32x4.extract_lane(inv, 0);
    for (; c < dh; c++) {
      const vc = v + (<usize>c << 2);
      let b: f32 = 0;
      for (let jj = 0; jj < S; jj++) {
        const e = load<f32>(scores + (<usize>jj << 2));
        if (e == 0) continue;
        b += e * load<f32>(vc + <usize>jj * vRow);
      }
      store<f32>(or + (<usize>c << 2), b * invS);
    }
  }
  return 0;
}
