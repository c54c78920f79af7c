// The value pass of the fused attention: acc += Σ_j e_j · v_j over one index range of keys, in ascending
// key order with the keys whose weight is +0 (hidden, or exp underflowed; weights are never -0) skipped,
// one running sum per output column. Keys go in chunks of CHUNK: every column block of a chunk's value
// rows is read while the rows are in L1, so V is swept once, sequentially; each column's sum still sees
// the keys in order. Column blocks of 24 then 16 (6 or 4 accumulators) keep accumulators, loads and the
// weight within V8's 15 usable xmm registers: at 8 accumulators it spills one to the stack every key.

const CHUNK = 32;

/**
 * acc [dh] += Σ_{start <= j < end} w[j] · v_j, v [S, dh] with rows vRow bytes apart, w the row's weights.
 * acc is the output row: loaded and stored around every chunk.
 */
export function accumulateValues(acc: usize, v: usize, vRow: usize, dh: i32, w: usize, start: i32, end: i32): void {
  for (let j0 = start; j0 < end; j0 += CHUNK) {
    const j1 = min(j0 + CHUNK, end);
    let c = 0;
    for (; c + 24 <= dh; c += 24) { // six accumulators: with the six loads and the weight, 13 registers
      const oc = acc + (<usize>c << 2), vc = v + (<usize>c << 2);
      let b0 = v128.load(oc), b1 = v128.load(oc, 16), b2 = v128.load(oc, 32), b3 = v128.load(oc, 48);
      let b4 = v128.load(oc, 64), b5 = v128.load(oc, 80);
      for (let j = j0; j < j1; j++) {
        const at = w + (<usize>j << 2);
        if (load<i32>(at) == 0) continue;
        const e4 = v128.load32_splat(at);
        const vr = vc + <usize>j * vRow;
        b0 = f32x4.add(b0, f32x4.mul(e4, v128.load(vr))); b1 = f32x4.add(b1, f32x4.mul(e4, v128.load(vr, 16)));
        b2 = f32x4.add(b2, f32x4.mul(e4, v128.load(vr, 32))); b3 = f32x4.add(b3, f32x4.mul(e4, v128.load(vr, 48)));
        b4 = f32x4.add(b4, f32x4.mul(e4, v128.load(vr, 64))); b5 = f32x4.add(b5, f32x4.mul(e4, v128.load(vr, 80)));
      }
      v128.store(oc, b0); v128.store(oc, b1, 16); v128.store(oc, b2, 32); v128.store(oc, b3, 48);
      v128.store(oc, b4, 64); v128.store(oc, b5, 80);
    }
    for (; c + 16 <= dh; c += 16) { // four accumulators: with the four rows' loads, all in registers
      const oc = acc + (<usize>c << 2), vc = v + (<usize>c << 2);
      let b0 = v128.load(oc), b1 = v128.load(oc, 16), b2 = v128.load(oc, 32), b3 = v128.load(oc, 48);
      for (let j = j0; j < j1; j++) {
        const at = w + (<usize>j << 2);
        if (load<i32>(at) == 0) continue; // weight +0 (no float register needed for the test)
        const e4 = v128.load32_splat(at);
        const vr = vc + <usize>j * vRow;
        b0 = f32x4.add(b0, f32x4.mul(e4, v128.load(vr))); b1 = f32x4.add(b1, f32x4.mul(e4, v128.load(vr, 16)));
        b2 = f32x4.add(b2, f32x4.mul(e4, v128.load(vr, 32))); b3 = f32x4.add(b3, f32x4.mul(e4, v128.load(vr, 48)));
      }
      v128.store(oc, b0); v128.store(oc, b1, 16); v128.store(oc, b2, 32); v128.store(oc, b3, 48);
    }
    for (; c + 4 <= dh; c += 4) {
      const oc = acc + (<usize>c << 2), vc = v + (<usize>c << 2);
      let b0 = v128.load(oc);
      for (let j = j0; j < j1; j++) {
        const e = load<f32>(w + (<usize>j << 2));
        if (e == 0) continue;
        b0 = f32x4.add(b0, f32x4.mul(f32x4.splat(e), v128.load(vc + <usize>j * vRow)));
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
