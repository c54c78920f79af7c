// What linear and matvec do to a finished dot product: add the bias, apply ReLU, add to what the output
// holds (a residual), store. One element, or four consecutive ones lane by lane with the same operations.

export const RELU: i32 = 1; // max(·, 0) after the bias
export const ACCUMULATE: i32 = 2; // out += result (residual connection)

/** out[j] = act(s + bias[j]) (+ out[j]) at dst; bias 0 for none. */
@inline export function finish(s: f32, bias: usize, j: i32, dst: usize, flags: i32): void {
  if (bias) s += load<f32>(bias + (<usize>j << 2));
  if (flags & RELU) s = max(s, 0);
  if (flags & ACCUMULATE) s = load<f32>(dst) + s;
  store<f32>(dst, s);
}

/** `finish` for four consecutive outputs; `bias` points at their four biases (0 for none). */
@inline export function finish4(s: v128, bias: usize, dst: usize, flags: i32): void {
  if (bias) s = f32x4.add(s, v128.load(bias));
  if (flags & RELU) s = f32x4.max(s, f32x4.splat(0));
  if (flags & ACCUMULATE) s = f32x4.add(v128.load(dst), s);
  v128.store(dst, s);
}
