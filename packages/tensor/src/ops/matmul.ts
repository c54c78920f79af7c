// Matrix products: matmul (a · b) and linear (x · Wᵀ + b, PyTorch's Linear layout).
// One strided kernel serves every layout: views (transposes, row slices) cost nothing to pass in.
// Sums accumulate in float64 in ascending k order whatever the loop order, so a row's result is
// bit-identical however many other rows are computed with it (prefill vs decode give the same bits).
import { ShapeError } from "../errors.js";
import { assert2d, assertShape, formatShape } from "../shape.js";
import { zeros, type Tensor } from "../tensor.js";

let rowAcc = new Float64Array(256); // reused accumulator row for the k-outer loop order

/** Strided view of a 2-D operand, read once into locals by the kernel. */
interface View2d {
  data: Float32Array;
  offset: number;
  s0: number;
  s1: number;
}

const view = (t: Tensor): View2d => ({ data: t.data, offset: t.offset, s0: t.stride[0]!, s1: t.stride[1]! });

/** c [m, n] = a [m, k] · b [k, n] (+ bias [n]). Trusts validated shapes. */
function gemm(m: number, k: number, n: number, a: View2d, b: View2d, c: View2d, bias?: View2d): void {
  const A = a.data, B = b.data, C = c.data;
  const { s0: as0, s1: as1 } = a, { s0: bs0, s1: bs1 } = b, { s0: cs0, s1: cs1 } = c;
  if (bs1 === 1 && n > 1) {
    // rows of b are contiguous: i-k-j order, accumulating one output row
    if (rowAcc.length < n) rowAcc = new Float64Array(n);
    const acc = rowAcc;
    for (let i = 0; i < m; i++) {
      acc.fill(0, 0, n);
      const aRow = a.offset + i * as0;
      for (let p = 0; p < k; p++) {
        const x = A[aRow + p * as1]!;
        const bRow = b.offset + p * bs0;
        for (let j = 0; j < n; j++) acc[j] = acc[j]! + x * B[bRow + j]!;
      }
      const cRow = c.offset + i * cs0;
      for (let j = 0; j < n; j++) {
        C[cRow + j * cs1] = bias ? acc[j]! + bias.data[bias.offset + j * bias.s0]! : acc[j]!;
      }
    }
    return;
  }
  // columns of b are contiguous (b is a transposed weight or key matrix): dot products
  for (let i = 0; i < m; i++) {
    const aRow = a.offset + i * as0;
    const cRow = c.offset + i * cs0;
    for (let j = 0; j < n; j++) {
      const bCol = b.offset + j * bs1;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[aRow + p * as1]! * B[bCol + p * bs0]!;
      C[cRow + j * cs1] = bias ? s + bias.data[bias.offset + j * bias.s0]! : s;
    }
  }
}

function outFor(op: string, out: Tensor | undefined, shape: [number, number]): Tensor {
  if (!out) return zeros(shape);
  assertShape(op, "out", out, shape);
  return out;
}

/**
 * a [m, k] x b [k, n] -> [m, n]. Matrix product of any 2-D views.
 * const s = matmul(q, k.transpose(1, 0)) // [T, dh] x [dh, S] -> [T, S]
 */
export function matmul(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  assert2d("matmul", "a", a);
  assert2d("matmul", "b", b);
  const [m, k] = a.shape as [number, number];
  const [kb, n] = b.shape as [number, number];
  if (k !== kb) {
    throw new ShapeError("matmul", "inner dimensions differ", `a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`, `b [${k}, n]`);
  }
  const c = outFor("matmul", out, [m, n]);
  gemm(m, k, n, view(a), view(b), view(c));
  return c;
}

/** What `linear` does after the bias, in the same pass (fewer calls and no intermediate tensor). */
export interface LinearFusion {
  /** max(·, 0) after the bias. */
  readonly relu?: boolean;
  /** Add the result to what `out` already holds (a residual connection) instead of overwriting it. */
  readonly accumulate?: boolean;
}

/**
 * x [T, in] x weight [out, in]ᵀ + bias [out] -> [T, out]. PyTorch's nn.Linear.
 * const q = linear(x, attn.q.weight, attn.q.bias) // [T, d]
 * linear(y, o.weight, o.bias, h, { accumulate: true }) // h += o(y), the residual in one pass
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor, out?: Tensor, fuse?: LinearFusion): Tensor {
  checkLinear(x, weight, bias, out, fuse);
  const [T, inX] = x.shape as [number, number];
  const outF = weight.shape[0]!;
  const c = outFor("linear", out, [T, outF]);
  const target = fuse?.accumulate ? zeros([T, outF]) : c;
  const wT = { data: weight.data, offset: weight.offset, s0: weight.stride[1]!, s1: weight.stride[0]! };
  const b = bias ? { data: bias.data, offset: bias.offset, s0: bias.stride[0]!, s1: 0 } : undefined;
  gemm(T, inX, outF, view(x), wT, view(target), b);
  if (fuse) applyFusion(target, c, fuse);
  return c;
}

/** The shape checks of `linear` (ShapeError naming the operand), without running it. */
export function checkLinear(x: Tensor, weight: Tensor, bias?: Tensor, out?: Tensor, fuse?: LinearFusion): void {
  assert2d("linear", "x", x);
  assert2d("linear", "weight", weight);
  const [T, inX] = x.shape as [number, number];
  const [outF, inW] = weight.shape as [number, number];
  if (inX !== inW) {
    throw new ShapeError("linear", "input features differ", `x ${formatShape(x.shape)} and weight ${formatShape(weight.shape)}`, `weight [out, ${inX}]`);
  }
  if (bias) assertShape("linear", "bias", bias, [outF]);
  if (fuse?.accumulate && !out) {
    throw new ShapeError("linear", "accumulate needs an out tensor to add into", "no out", `out [${T}, ${outF}]`);
  }
  if (out) assertShape("linear", "out", out, [T, outF]);
}

/** The JS fusion epilogue: relu in place on `y`, then c += y when accumulating (y is then a temporary). */
function applyFusion(y: Tensor, c: Tensor, fuse: LinearFusion): void {
  const [T, n] = y.shape as [number, number];
  const Y = y.data, C = c.data;
  const [ys0, ys1] = y.stride as [number, number];
  const [cs0, cs1] = c.stride as [number, number];
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < n; j++) {
      const yi = y.offset + i * ys0 + j * ys1;
      if (fuse.relu) Y[yi] = Math.max(Y[yi]!, 0);
      if (fuse.accumulate) {
        const ci = c.offset + i * cs0 + j * cs1;
        C[ci] = C[ci]! + Y[yi]!;
      }
    }
  }
}
