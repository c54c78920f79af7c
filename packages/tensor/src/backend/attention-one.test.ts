// One query's attention split over the pool (a kernel program's attention record in a decode step over a
// long context, assembly/attention-one.ts) gives the bits of the record's own kernel run alone: over rows
// (consecutive or not), a block table and int8 rows (per-token and per-channel key scales, float rows
// after the last whole group), with windows and sinks, in both builds; a failing row fails like the op.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendError, NumericError } from "../errors.js";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { BlockTable } from "../block-table.js";
import { CAUSAL } from "../ops/softmax.js";
import { backendInfo, loadedWasm, setFma, setOneQuerySplit, setThreads, warmThreads } from "./backend.js";
import { int8Attention, pagedAttention } from "./kv-attention.js";
import { allocFloat32, allocInt32, kernelZeros } from "./memory.js";
import { consecutivePositions, randomInt8Rows, randomMatrix, under } from "./placement.test-utils.js";
import { prepareAttention } from "./prepared.js";
import { KernelProgram } from "./program.js";

const initial = backendInfo();
const builds = initial.fmaReason === undefined ? [false, true] : [false];
afterAll(() => {
  setFma(initial.fma);
  setThreads(initial.threads);
});

const bytes = (t: Tensor): Buffer => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
// windows wide enough to be split (visible keys × head width >= 2^15), with the sinks apart from the window or not
const spans = [CAUSAL, { window: 950, sinks: 4 }, { window: 1100, sinks: 0 }, { window: 5000, sinks: 9 }];
// block tables as wide as rows (the split watch decides from 2^15 visible keys × head width)
const pagedSpans = [CAUSAL, { window: 2050, sinks: 4 }, { window: 5000, sinks: 9 }];

/** A query, S keys and values of width d at positions 0 .. S - 1, in kernel memory. */
const rowsOf = (rng: Rng, S: number, d: number) => ({
  q: randomMatrix(rng, 1, d, "kernel"), keys: randomMatrix(rng, S, d, "kernel"), values: randomMatrix(rng, S, d, "kernel"), positions: consecutivePositions(S),
});

/** Runs the program (at position `at`); true when an attention of it was split over the pool. */
function runSplit(p: KernelProgram, at = 0): boolean {
  const kernels = loadedWasm()!.kernels;
  kernels.splitPause = 0; // a worker late on a busy machine pauses the split: not what is tested here
  const before = kernels.splitCalls;
  p.run(0, p.length, at);
  return loadedWasm()!.kernels.splitCalls > before;
}

/** Runs the program; true when an attention of it was split over the pool with its exps split too. */
function runSplitExps(p: KernelProgram): boolean {
  const kernels = loadedWasm()!.kernels, before = kernels.splitExps;
  return runSplit(p) && kernels.splitExps > before;
}

// keys whose weights underflow: sinks, the first keys of the window (the value pass's ranges are trimmed of
// +0 weights), a stretch across a part boundary, and the last keys; scores of −88 to −200 below the
// others give subnormal weights and zeros
const underflowing = (S: number): number[] => [
  ...Array.from({ length: 40 }, (_, i) => i), ...Array.from({ length: 80 }, (_, i) => (S >> 1) - 40 + i),
  ...Array.from({ length: 30 }, (_, i) => S - 1900 + i), ...Array.from({ length: 13 }, (_, i) => S - 13 + i),
];

/** Sets the key rows `js` of a [S, d] float tensor to −c·q (c from 11 to 25): scores far below the rest. */
function underflowKeys(keys: Tensor, q: Tensor, d: number, js: number[]): void {
  for (const j of js) for (let c = 0; c < d; c++) keys.data[keys.offset + j * d + c] = -(11 + 2 * (j % 8)) * q.data[q.offset + c]!;
}

describe("one query's attention over two threads", () => {
  beforeAll(async () => {
    setThreads(2);
    while ((await warmThreads()) < 2); // a busy machine may need more than warmThreads' own patience
  }, 120_000);

  describe.each(builds)("fma %s", (fma) => {
    it.each([[1000, 64, 1], [2101, 64, 1], [777, 96, 2], [1203, 36, 1]] as const)("S=%i d=%i heads=%i: rows, consecutive or not, the kernel's bits", (S, d, heads) => {
      under("wasm", () => {
        setFma(fma);
        const rng = new Rng(S + d);
        const q = randomMatrix(rng, 1, d, "kernel"), keys = randomMatrix(rng, S, d, "kernel"), values = randomMatrix(rng, S, d, "kernel");
        const want = kernelZeros([1, d]), got = kernelZeros([1, d]);
        const p = KernelProgram.create(1)!;
        const a = p.attention(q, got, heads);
        const consecutive = allocInt32(S), gaps = allocInt32(S);
        for (let j = 0; j < S; j++) {
          consecutive[j] = j;
          gaps[j] = j < 4 ? j : 2 * j + 7; // sinks kept at their positions, the rest spread out
        }
        for (const positions of [consecutive, gaps]) {
          const qpos = positions[S - 1]! + 1;
          for (const span of spans) {
            prepareAttention(q, want, heads)(keys, values, positions, qpos, span);
            expect(p.setAttention(a, keys, values, positions, qpos, span)).toBe(true);
            expect(runSplit(p)).toBe(true);
            expect(bytes(got).equals(bytes(want))).toBe(true);
          }
        }
      });
    });

    it.each([[2100, 64, 16], [2500, 64, 12], [2300, 128, 16], [2200, 64, 6]] as const)("S=%i d=%i, blocks of %i: a block table, the kernel's bits (split when blocks hold a multiple of 4 rows)", (S, d, B) => {
      under("wasm", () => {
        setFma(fma);
        const rng = new Rng(S + B);
        const heads = d / 64, q = randomMatrix(rng, 1, d, "kernel");
        const table = new BlockTable(B, d);
        for (let b = 0; b * B < S; b++) table.push(randomMatrix(rng, B, d, "kernel"), randomMatrix(rng, B, d, "kernel"));
        const want = kernelZeros([1, d]), got = kernelZeros([1, d]);
        const p = KernelProgram.create(1)!;
        const a = p.attention(q, got, heads);
        for (const span of pagedSpans) {
          pagedAttention(q, table, S, { queryStart: S, span, nHeads: heads, out: want });
          expect(p.setPagedAttention(a, table, S, S, span)).toBe(true);
          expect(runSplit(p)).toBe(B % 4 === 0);
          expect(bytes(got).equals(bytes(want))).toBe(true);
        }
      });
    });

    it.each([[1000, 64, 1], [1300, 128, 2]] as const)("S=%i d=%i heads=%i: int8 rows, per-token and per-channel scales, the kernel's bits", (S, d, heads) => {
      under("wasm", () => {
        setFma(fma);
        const rng = new Rng(3 * S + d);
        const q = randomMatrix(rng, 1, d, "kernel");
        const { kd, vd, ks, vs } = randomInt8Rows(rng, S, d);
        const G = 32, quantized = Math.floor((S - 5) / G) * G, cs = allocFloat32(Math.ceil(S / G) * d);
        for (let i = 0; i < cs.length; i++) cs[i] = rng.uniform() / 100;
        const values = { data: vd, scales: vs };
        const want = kernelZeros([1, d]), got = kernelZeros([1, d]);
        const p = KernelProgram.create(1)!;
        const a = p.attention(q, got, heads);
        const residual = randomMatrix(rng, S - quantized, d, "kernel");
        for (const keys of [{ data: kd, scales: ks, group: 0 }, { data: kd, scales: cs, group: G, quantized, residual }]) {
          for (const span of spans) {
            int8Attention(q, keys, values, S, { queryStart: S, span, nHeads: heads, out: want });
            expect(p.setInt8Attention(a, keys, values, S, S, span)).toBe(true);
            expect(runSplit(p)).toBe(true);
            expect(bytes(got).equals(bytes(want))).toBe(true);
          }
        }
      });
    });

    it("splits an attentionAt record in the middle of a program: the records around it run, the op's bits", () => {
      under("wasm", () => {
        setFma(fma);
        const R = 1200, d = 64, rng = new Rng(77);
        const { keys, values, positions } = rowsOf(rng, R, d);
        const qkv = randomMatrix(rng, 1, 3 * d, "kernel"); // q | k | v, as a decode step's buffer
        const q = qkv.hi(1, d), k = qkv.lo(0, d).hi(1, d), v = qkv.lo(0, 2 * d).hi(1, d);
        const got = kernelZeros([1, d]), want = kernelZeros([1, d]);
        const p = KernelProgram.create(3)!;
        expect(p.copyToRow(k, keys) && p.copyToRow(v, values) && p.attentionAt(q, got, 1, keys, values, positions, { window: 900, sinks: 4 })).toBe(true);
        for (const at of [700, 1100]) {
          expect(runSplit(p, at)).toBe(true);
          expect(Array.from(keys.data.subarray(keys.offset + at * d, keys.offset + (at + 1) * d))).toEqual(Array.from(k.data.subarray(k.offset, k.offset + d)));
          prepareAttention(q, want, 1)(keys.hi(at + 1, d), values.hi(at + 1, d), positions, at, { window: 900, sinks: 4 });
          expect(bytes(got).equals(bytes(want))).toBe(true);
        }
      });
    });

    it("splits a pagedAttentionAt record after its block copies: the position's row written, the op's bits", () => {
      under("wasm", () => {
        setFma(fma);
        const B = 64, d = 64, rng = new Rng(78);
        const table = new BlockTable(B, d);
        table.reserve(40);
        for (let b = 0; b < 40; b++) table.push(randomMatrix(rng, B, d, "kernel"), randomMatrix(rng, B, d, "kernel"));
        const qkv = randomMatrix(rng, 1, 3 * d, "kernel"); // q | k | v, as a decode step's buffer
        const q = qkv.hi(1, d), k = qkv.lo(0, d).hi(1, d), v = qkv.lo(0, 2 * d).hi(1, d);
        const got = kernelZeros([1, d]), want = kernelZeros([1, d]);
        const p = KernelProgram.create(3)!;
        expect(p.copyToBlock(k, table, "keys") && p.copyToBlock(v, table, "values") && p.pagedAttentionAt(q, got, 1, table, CAUSAL)).toBe(true);
        for (const at of [2100, 2559]) {
          expect(runSplit(p, at)).toBe(true);
          const K = table.values(Math.floor(at / B)), r = at % B;
          expect(Array.from(K.data.subarray(K.offset + r * d, K.offset + (r + 1) * d))).toEqual(Array.from(v.data.subarray(v.offset, v.offset + d)));
          pagedAttention(q, table, at + 1, { queryStart: at, nHeads: 1, out: want });
          expect(bytes(got).equals(bytes(want))).toBe(true);
        }
      });
    });

    it("splits an int8AttentionAt record after the quantizeToRow records: per-token and per-channel keys, int8Attention's bits", () => {
      under("wasm", () => {
        setFma(fma);
        const R = 1200, d = 64, G = 32, rng = new Rng(78), span = { window: 900, sinks: 4 };
        const qkv = randomMatrix(rng, 1, 3 * d, "kernel");
        const q = qkv.hi(1, d), k = qkv.lo(0, d).hi(1, d), v = qkv.lo(0, 2 * d).hi(1, d);
        const { kd, vd, ks, vs } = randomInt8Rows(rng, R, d), cs = allocFloat32(Math.ceil(R / G) * d);
        for (let i = 0; i < cs.length; i++) cs[i] = rng.uniform() / 100;
        const values = { data: vd, scales: vs };
        for (const keys of [{ data: kd, scales: ks, group: 0 }, { data: kd, scales: cs, group: G, residual: randomMatrix(rng, G, d, "kernel") }]) {
          const got = kernelZeros([1, d]), want = kernelZeros([1, d]);
          const p = KernelProgram.create(3)!;
          expect(p.quantizeToRow(k, keys) && p.quantizeToRow(v, values) && p.int8AttentionAt(q, got, 1, keys, values, R, span)).toBe(true);
          for (const at of [700, 1100, 1151]) { // 1151 fills a group of 32
            expect(runSplit(p, at)).toBe(true);
            const quantized = keys.group === 0 ? at + 1 : at + 1 - ((at + 1) % G);
            int8Attention(q, { ...keys, quantized }, values, at + 1, { queryStart: at, span, nHeads: 1, out: want });
            expect(bytes(got).equals(bytes(want))).toBe(true);
          }
        }
      });
    });

    describe("the exps split too (over many visible keys), the sum kept in the kernel's order", () => {
      const S = 4500;
      const wide = [CAUSAL, { window: 3000, sinks: 4 }, { window: 2500, sinks: 0 }, { window: 4000, sinks: 1000 }];

      it("rows, consecutive or not, with underflowed weights: the kernel's bits", () => {
        under("wasm", () => {
          setFma(fma);
          const d = 64, rng = new Rng(41);
          const q = randomMatrix(rng, 1, d, "kernel"), keys = randomMatrix(rng, S, d, "kernel"), values = randomMatrix(rng, S, d, "kernel");
          underflowKeys(keys, q, d, underflowing(S));
          const want = kernelZeros([1, d]), got = kernelZeros([1, d]);
          const p = KernelProgram.create(1)!;
          const a = p.attention(q, got, 1);
          const consecutive = allocInt32(S), gaps = allocInt32(S);
          for (let j = 0; j < S; j++) {
            consecutive[j] = j;
            gaps[j] = j + (j >> 6); // a gap every 64 keys
          }
          for (const positions of [consecutive, gaps]) {
            const qpos = Math.max(...positions) + 1;
            for (const span of wide) {
              prepareAttention(q, want, 1)(keys, values, positions, qpos, span);
              const at = `positions ${positions === gaps ? "with gaps" : "consecutive"}, span ${JSON.stringify(span)}`;
              expect(p.setAttention(a, keys, values, positions, qpos, span), `recorded: ${at}`).toBe(true);
              expect(runSplitExps(p), `split with its exps: ${at}`).toBe(true);
              expect(bytes(got).equals(bytes(want)), `the kernel's bits: ${at}`).toBe(true);
            }
          }
        });
      });

      it.each([16, 8])("a block table, blocks of %i, with underflowed weights: the kernel's bits", (B) => {
        under("wasm", () => {
          setFma(fma);
          const d = 64, rng = new Rng(42 + B);
          const q = randomMatrix(rng, 1, d, "kernel"), keys = randomMatrix(rng, S, d, "kernel");
          underflowKeys(keys, q, d, underflowing(S));
          const table = new BlockTable(B, d);
          for (let b = 0; b * B < S; b++) {
            const k = kernelZeros([B, d]);
            k.data.set(keys.data.subarray(keys.offset + b * B * d, keys.offset + Math.min((b + 1) * B, S) * d));
            table.push(k, randomMatrix(rng, B, d, "kernel"));
          }
          const want = kernelZeros([1, d]), got = kernelZeros([1, d]);
          const p = KernelProgram.create(1)!;
          const a = p.attention(q, got, 1);
          for (const span of wide) {
            pagedAttention(q, table, S, { queryStart: S, span, nHeads: 1, out: want });
            expect(p.setPagedAttention(a, table, S, S, span)).toBe(true);
            expect(runSplitExps(p)).toBe(true);
            expect(bytes(got).equals(bytes(want))).toBe(true);
          }
        });
      });

      it("int8 rows, per-token and per-channel scales, with underflowed weights: the kernel's bits", () => {
        under("wasm", () => {
          setFma(fma);
          const d = 64, rng = new Rng(43);
          const q = randomMatrix(rng, 1, d, "kernel");
          const { kd, vd, ks, vs } = randomInt8Rows(rng, S, d);
          for (const j of underflowing(S)) { // −127·sign(q) at a large per-token scale: scores of about −80 to −320
            for (let c = 0; c < d; c++) kd[j * d + c] = q.data[q.offset + c]! > 0 ? -127 : 127;
            ks[j] = 0.1 + 0.04 * (j % 8);
          }
          const G = 32, quantized = Math.floor((S - 5) / G) * G, cs = allocFloat32(Math.ceil(S / G) * d);
          for (let i = 0; i < cs.length; i++) cs[i] = rng.uniform() / 100;
          const values = { data: vd, scales: vs };
          const want = kernelZeros([1, d]), got = kernelZeros([1, d]);
          const p = KernelProgram.create(1)!;
          const a = p.attention(q, got, 1);
          const residual = randomMatrix(rng, S - quantized, d, "kernel");
          for (const keys of [{ data: kd, scales: ks, group: 0 }, { data: kd, scales: cs, group: G, quantized, residual }]) {
            for (const span of wide) {
              int8Attention(q, keys, values, S, { queryStart: S, span, nHeads: 1, out: want });
              expect(p.setInt8Attention(a, keys, values, S, S, span)).toBe(true);
              expect(runSplitExps(p)).toBe(true);
              expect(bytes(got).equals(bytes(want))).toBe(true);
            }
          }
        });
      });

      it("from any number of keys (the threshold at 0): the smaller cases above, rows over two heads and a block table", () => {
        under("wasm", () => {
          setFma(fma);
          const kernels = loadedWasm()!.kernels, from = kernels.oneQueryExpsMinKeys;
          kernels.oneQueryExpsMinKeys = 0;
          try {
            const d = 96, R = 777, rng = new Rng(44);
            const q = randomMatrix(rng, 1, d, "kernel"), keys = randomMatrix(rng, R, d, "kernel"), values = randomMatrix(rng, R, d, "kernel");
            const positions = consecutivePositions(R);
            const want = kernelZeros([1, d]), got = kernelZeros([1, d]);
            const p = KernelProgram.create(1)!;
            const a = p.attention(q, got, 2);
            for (const span of spans) {
              prepareAttention(q, want, 2)(keys, values, positions, R, span);
              expect(p.setAttention(a, keys, values, positions, R, span)).toBe(true);
              expect(runSplitExps(p)).toBe(true);
              expect(bytes(got).equals(bytes(want))).toBe(true);
            }
            const B = 16, T = 2100, table = new BlockTable(B, 64), q64 = randomMatrix(rng, 1, 64, "kernel");
            for (let b = 0; b * B < T; b++) table.push(randomMatrix(rng, B, 64, "kernel"), randomMatrix(rng, B, 64, "kernel"));
            const want64 = kernelZeros([1, 64]), got64 = kernelZeros([1, 64]);
            const pp = KernelProgram.create(1)!;
            const ap = pp.attention(q64, got64, 1);
            for (const span of pagedSpans) {
              pagedAttention(q64, table, T, { queryStart: T, span, nHeads: 1, out: want64 });
              expect(pp.setPagedAttention(ap, table, T, T, span)).toBe(true);
              expect(runSplitExps(pp)).toBe(true);
              expect(bytes(got64).equals(bytes(want64))).toBe(true);
            }
          } finally {
            kernels.oneQueryExpsMinKeys = from;
          }
        });
      });
    });

    it("fails like the op: a NaN score, and a query that sees no key", () => {
      under("wasm", () => {
        setFma(fma);
        const S = 1000, d = 64, rng = new Rng(9);
        const { q, keys, values, positions } = rowsOf(rng, S, d);
        const p = KernelProgram.create(1)!;
        const a = p.attention(q, kernelZeros([1, d]), 1);
        keys.data[keys.offset + 700 * d + 3] = NaN;
        p.setAttention(a, keys, values, positions, S, CAUSAL);
        expect(() => p.run()).toThrow(NumericError);
        expect(() => prepareAttention(q, kernelZeros([1, d]), 1)(keys, values, positions, S, CAUSAL)).toThrow(NumericError);
        keys.data[keys.offset + 700 * d + 3] = 0;
        for (let j = 0; j < S; j++) positions[j] = j + 10; // every key after the query at 5
        p.setAttention(a, keys, values, positions, 5, CAUSAL);
        expect(() => p.run()).toThrow(/sees no key|no key/);
      });
    });
  });

  it("splits the exps in three stretches on three threads: rows with sinks apart from the window, the kernel's bits", async () => {
    setThreads(3);
    while ((await warmThreads()) < 3); // three threads on however many cores: slower, the same bits
    try {
      under("wasm", () => {
        for (const fma of builds) {
          setFma(fma);
          const S = 3001, d = 64, rng = new Rng(45);
          const q = randomMatrix(rng, 1, d, "kernel"), keys = randomMatrix(rng, S, d, "kernel"), values = randomMatrix(rng, S, d, "kernel");
          underflowKeys(keys, q, d, underflowing(S));
          const positions = consecutivePositions(S), want = kernelZeros([1, d]), got = kernelZeros([1, d]);
          const p = KernelProgram.create(1)!;
          const a = p.attention(q, got, 1);
          for (const span of [CAUSAL, { window: 2000, sinks: 500 }, { window: 1700, sinks: 3 }]) {
            prepareAttention(q, want, 1)(keys, values, positions, S, span);
            expect(p.setAttention(a, keys, values, positions, S, span)).toBe(true);
            expect(runSplitExps(p)).toBe(true);
            expect(bytes(got).equals(bytes(want))).toBe(true);
          }
        }
      });
    } finally {
      setThreads(2);
      while ((await warmThreads()) < 2);
    }
  }, 120_000);

  it("runs the next splittable attentions on the calling thread while the split is paused (after a late worker)", () => {
    under("wasm", () => {
      const S = 1000, d = 64;
      const { q, keys, values, positions } = rowsOf(new Rng(6), S, d);
      const p = KernelProgram.create(1)!;
      const a = p.attention(q, kernelZeros([1, d]), 1);
      p.setAttention(a, keys, values, positions, S, CAUSAL);
      const kernels = loadedWasm()!.kernels;
      kernels.splitPause = 2;
      const before = kernels.splitCalls;
      p.run();
      p.run();
      expect(kernels.splitCalls).toBe(before);
      expect(kernels.splitPause).toBe(0);
      expect(runSplit(p)).toBe(true);
    });
  });

  describe("setOneQuerySplit", () => {
    afterAll(() => setOneQuerySplit("auto"));
    /** A program of one attention of one query over 1,000 keys, its bits unsplit, and a run counting splits. */
    const setUp = () => {
      const S = 1000, d = 64;
      const { q, keys, values, positions } = rowsOf(new Rng(8), S, d);
      const out = kernelZeros([1, d]);
      const p = KernelProgram.create(1)!;
      const a = p.attention(q, out, 1);
      p.setAttention(a, keys, values, positions, S, CAUSAL);
      const kernels = loadedWasm()!.kernels;
      setOneQuerySplit("never");
      p.run();
      const want = bytes(out);
      const splits = (runs: number): number => {
        const before = kernels.splitCalls;
        for (let r = 0; r < runs; r++) {
          out.data.fill(0);
          p.run();
          expect(bytes(out).equals(want)).toBe(true);
        }
        return kernels.splitCalls - before;
      };
      return { kernels, splits };
    };

    it("never: on the calling thread; always: split, even while the watch pauses it", () => {
      under("wasm", () => {
        const { kernels, splits } = setUp();
        kernels.splitPause = 0;
        setOneQuerySplit("never");
        expect(splits(3)).toBe(0);
        kernels.splitPause = 1000;
        setOneQuerySplit("always");
        expect(splits(3)).toBe(3);
      });
    });

    it("auto: a probe runs the attention alone and split by turns (two each), with the kernel's bits", () => {
      under("wasm", () => {
        const { kernels, splits } = setUp();
        setOneQuerySplit("auto");
        kernels.splitPause = 1; // one on the calling thread, then a probe of 20
        expect(splits(1)).toBe(0);
        expect([splits(2), splits(1)]).toEqual([0, 1]);
        // the rest of the probe: 9 more split (the order is split-watch.test.ts's), or fewer after a worker
        // late on a busy machine, which ends the probe
        expect(splits(17)).toBeLessThanOrEqual(9);
      });
    });

    it("auto: each size of attention has a watch of its own (a pause at 1,000 keys leaves 5,000 split)", () => {
      under("wasm", () => {
        setOneQuerySplit("auto");
        const kernels = loadedWasm()!.kernels;
        kernels.splitPause = 0;
        const program = (S: number) => {
          const { q, keys, values, positions } = rowsOf(new Rng(S), S, 64);
          const p = KernelProgram.create(1)!;
          p.setAttention(p.attention(q, kernelZeros([1, 64]), 1), keys, values, positions, S, CAUSAL);
          return p;
        };
        const small = program(1000), large = program(5000);
        const splits = (p: KernelProgram): number => {
          const before = kernels.splitCalls;
          p.run();
          return kernels.splitCalls - before;
        };
        expect(splits(small)).toBe(1); // judged by the 1,000-key watch
        (kernels as unknown as { watch: { pause: number } }).watch.pause = 5; // that watch alone pauses
        expect([splits(small), splits(large), splits(small)]).toEqual([0, 1, 0]);
      });
    });

    it("backendInfo().oneQuery counts the attentions run split and run alone, and says the mode", () => {
      under("wasm", () => {
        const { kernels, splits } = setUp();
        const counts = () => {
          const { split, alone } = backendInfo().oneQuery;
          return [split, alone];
        };
        kernels.splitPause = 0;
        setOneQuerySplit("always");
        const [split0, alone0] = counts();
        expect(splits(3)).toBe(3);
        expect(counts()).toEqual([split0! + 3, alone0]);
        setOneQuerySplit("never");
        expect(splits(2)).toBe(0);
        expect(counts()).toEqual([split0! + 3, alone0! + 2]);
        expect(backendInfo().oneQuery.mode).toBe("never");
        setOneQuerySplit("auto");
        kernels.splitPause = 4; // held on the calling thread by the watch
        expect(splits(4)).toBe(0);
        expect(counts()).toEqual([split0! + 3, alone0! + 6]);
        expect(backendInfo().oneQuery.mode).toBe("auto");
      });
    });

    it("rejects a mode it does not know", () => {
      expect(() => setOneQuerySplit("sometimes" as never)).toThrow(BackendError);
      expect(() => setOneQuerySplit("sometimes" as never)).toThrow(/setOneQuerySplit takes "auto", "always" or "never"; got "sometimes"/);
    });
  });

  it("leaves one query over a short context on the calling thread", () => {
    under("wasm", () => {
      const S = 100, d = 64, rng = new Rng(4);
      const { q, keys, values, positions } = rowsOf(rng, S, d);
      const p = KernelProgram.create(1)!;
      const a = p.attention(q, kernelZeros([1, d]), 1);
      p.setAttention(a, keys, values, positions, S, CAUSAL);
      expect(runSplit(p)).toBe(false);
    });
  });
});
