// exp for four floats at once (Cephes expf): x = n·ln2 + r with |r| <= ln2/2, e^r by a degree-6
// polynomial, times 2^n built in the exponent bits. Relative error about 2 ulp over the range softmax
// uses (x <= 0); inputs below -87.3 give 2^-126-ish instead of 0, which the callers mask when needed.

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

// n = nearest(x·log2e) by the 1.5·2^23 trick: adding it rounds to an integer (ties to even, like
// f32x4.nearest) and leaves n in the low mantissa bits, so 2^n is (bits + 127) << 23 with no float-to-int
// conversion. The clamp uses pmin/pmax (one instruction each; wasm's min/max spell out NaN and -0 rules
// that need several): a NaN input stays NaN either way.
const MAGIC: f32 = 12582912.0;

@inline export function expx4(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.3762626647949)), f32x4.splat(-87.3365447505531));
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

/** Exported for the tests: out[i] = exp(x[i]) for i < n (n a multiple of 4). */
export function exp_f32(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(out + (<usize>i << 2), expx4(v128.load(x + (<usize>i << 2))));
}
