// Prepared ops give the public ops' results bit for bit (same kernel, same operands) under both backends,
// for operands in kernel memory (the in-place path), in JS memory and strided (the op path); they check
// shapes once, when prepared, with the ops' ShapeErrors; a run recomputes from the inputs' current values.
import { describe, expect, it } from "vitest";
import { ShapeError } from "../errors.js";
import { Rng } from "../rng.js";
import { zeros, type Tensor } from "../tensor.js";
import { kernelZeros } from "./memory.js";
import { randomMatrix, randomVector, under, type Placement } from "./placement.test-utils.js";
import { attention, layerNorm, linear } from "./dispatch.js";
import { prepareAttention, prepareLayerNorm, prepareLinear } from "./prepared.js";
import { CAUSAL } from "../ops/softmax.js";

const bits = (t: Tensor): number[] => {
  const out: number[] = [];
  for (let i = 0; i < t.shape[0]!; i++) for (let j = 0; j < t.shape[1]!; j++) out.push(t.get(i, j));
  return out;
};
const alloc = (p: Placement, shape: [number, number]): Tensor => (p === "js" ? zeros(shape) : kernelZeros(shape));

describe.each(["wasm", "js"] as const)("prepared ops under the %s backend", (backend) => {
  it.each(["kernel", "js", "strided"] as const)("prepareLinear matches linear (%s operands), fused and not, run after run", (p) => {
    under(backend, () => {
      const rng = new Rng(7);
      for (const [T, n, m] of [[1, 64, 192], [1, 64, 20], [1, 128, 64], [1, 13, 7], [1, 6, 19], [1, 3, 0], [3, 64, 128], [2, 13, 7], [0, 8, 4]] as const) {
        const x = randomMatrix(rng, T, n, p), w = randomMatrix(rng, m, n, "kernel"), b = randomVector(rng, m, p !== "js");
        for (const fuse of [{}, { relu: true }, { accumulate: true }]) {
          const init = randomMatrix(rng, T, m, "js");
          const want = alloc(p, [T, m]), got = alloc(p, [T, m]);
          for (const t of [want, got]) for (let i = 0; i < T; i++) for (let j = 0; j < m; j++) t.set(i, j, init.get(i, j));
          const run = prepareLinear(x, w, b, got, fuse);
          run();
          linear(x, w, b, want, fuse);
          expect(bits(got)).toEqual(bits(want));
          for (let i = 0; i < T; i++) x.set(i, 0, x.get(i, 0) + 1); // new input values, same storage
          run();
          linear(x, w, b, want, fuse);
          expect(bits(got)).toEqual(bits(want));
        }
      }
    });
  });

  it.each(["kernel", "js", "strided"] as const)("prepareLayerNorm matches layerNorm (%s operands)", (p) => {
    under(backend, () => {
      const rng = new Rng(8);
      const x = randomMatrix(rng, 3, 64, p), w = randomVector(rng, 64, true), b = randomVector(rng, 64, true);
      const got = alloc(p, [3, 64]);
      prepareLayerNorm(x, w, b, 1e-5, got)();
      expect(bits(got)).toEqual(bits(layerNorm(x, w, b, 1e-5)));
    });
  });

  it.each([1, 2, 4])("prepareAttention with %i heads matches attention per head, with positions in any memory", (nHeads) => {
    under(backend, () => {
      const rng = new Rng(9);
      const T = 2, S = 11, d = 16, dh = d / nHeads;
      const q = randomMatrix(rng, T, d, "strided"), k = randomMatrix(rng, S, d, "kernel"), v = randomMatrix(rng, S, d, "strided");
      const got = kernelZeros([T, d]), want = zeros([T, d]);
      const positions = Int32Array.from({ length: S }, (_, i) => i);
      const run = prepareAttention(q, got, nHeads);
      for (const keyPositions of [positions, Array.from(positions)]) {
        run(k, v, keyPositions, S - T, CAUSAL);
        for (let h = 0; h < nHeads; h++) {
          const cols = h * dh;
          attention(q.lo(0, cols).hi(T, dh), k.lo(0, cols).hi(S, dh), v.lo(0, cols).hi(S, dh), { queryStart: S - T, keyPositions, out: want.lo(0, cols).hi(T, dh) });
        }
        expect(bits(got)).toEqual(bits(want));
      }
      // an observer gets every head's probabilities, from the unfused path, as `attention` with observe
      const seen: number[] = [];
      run(k, v, positions, S - T, CAUSAL, (head, probs) => seen.push(head, probs.shape[1]!));
      expect(seen).toEqual(Array.from({ length: nHeads }, (_, h) => [h, S]).flat());
      for (let h = 0; h < nHeads; h++) {
        const cols = h * dh;
        attention(q.lo(0, cols).hi(T, dh), k.lo(0, cols).hi(S, dh), v.lo(0, cols).hi(S, dh), { queryStart: S - T, keyPositions: positions, out: want.lo(0, cols).hi(T, dh), observe: () => {} });
      }
      expect(bits(got)).toEqual(bits(want));
    });
  });

  it("reports bad shapes when preparing, with the ops' errors", () => {
    under(backend, () => {
      const x = zeros([1, 8]);
      expect(() => prepareLinear(x, zeros([4, 7]), undefined, zeros([1, 4]))).toThrow(ShapeError);
      expect(() => prepareLinear(x, zeros([4, 8]), undefined, zeros([1, 5]))).toThrow(/linear: out has the wrong shape/);
      expect(() => prepareLayerNorm(x, zeros([1, 7]).pick(0, null), zeros([8]), 1e-5, zeros([1, 8]))).toThrow(/layerNorm: weight/);
      expect(() => prepareAttention(x, zeros([1, 8]), 3)).toThrow(ShapeError);
      expect(() => prepareAttention(x, zeros([1, 8]), 2)(zeros([3, 6]), zeros([3, 6]), [0, 1, 2], 2, CAUSAL)).toThrow(ShapeError);
    });
  });
});
