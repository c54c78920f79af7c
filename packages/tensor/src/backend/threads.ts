// The kernels as the rest of the package calls them: one build (FMA or not) on the calling thread, and
// the pool's workers for calls with enough work. A call is split by rows — the rows of a linear or a
// layer norm, the query rows of an attention — never across a summed axis, and every row is computed by
// the same kernel as when it goes alone (each kernel gives a row the same bits however many rows share
// its call), so results are bit-identical with any number of threads. Small calls (a decode step's
// matvec, short prompts) stay on the calling thread: a hand-off costs ~1 µs to a spinning worker and
// tens of microseconds to a sleeping one.
import { BackendError } from "../errors.js";
import { attentionScratchBytes } from "./attention.js";
import type { Heap } from "./heap.js";
import { MAX_CHUNKS, OP_ATTENTION, OP_ATTENTION1_EXPS, OP_ATTENTION1_SCORES, OP_ATTENTION1_VALUES, OP_LAYER_NORM, OP_LINEAR, Pool } from "./pool.js";
import { SplitWatch } from "./split-watch.js";
import type { CompiledKernels } from "./wasm-variants.js";
import type { WasmKernels } from "./wasm-module.js";

/** Multiply-adds below which a linear runs on the calling thread (~5–10 µs of work). */
const LINEAR_MIN_WORK = 1 << 17;
/** Query-key pairs × head width below which an attention runs on the calling thread. */
const ATTENTION_MIN_WORK = 1 << 17;
/** Visible keys × head width from which one query's attention (a decode step) may be split over the pool (the watch decides). */
const ONE_QUERY_MIN_WORK = 1 << 15;
/** Keys per part of a split score pass, at least. */
const ONE_QUERY_MIN_KEYS = 256;
/** Visible keys from which a split one-query attention also splits its exps: a hand-off costs ~0.5–1 µs (2 threads: even at ~1,000 keys, ~3% faster at 1,500, ~5% at 9,900). */
const ONE_QUERY_EXPS_MIN_KEYS = 1536;
/** Output columns per chunk of a split value pass, at least (a multiple of 16: the value blocks' width). */
const ONE_QUERY_COLUMNS = 16;
/** Sizes of one-query attention with a split watch of their own: 2^15, 2^16, … visible keys × head width, the last and up. */
const WATCH_SIZES = 8;
/** Parts of a split score pass, at most (attention-one.ts MAX_PARTS). */
const ONE_QUERY_MAX_PARTS = 48;
/** Bytes of the state block before the parts' query scratch (attention-one.ts STATE_HEAD). */
const ONE_QUERY_STATE_HEAD = 4 * (64 + ONE_QUERY_MAX_PARTS);
/** Rows below which a layer norm runs on the calling thread. */
const LAYER_NORM_MIN_ROWS = 512;
/** Chunks of a split call per thread: a descheduled thread's share is picked up by the others. */
const CHUNKS_PER_THREAD = 4;
/** Multiply-adds below which a chunk of a linear is not worth a claim. */
const CHUNK_MIN_WORK = 1 << 15;
/** matvec's flag for its earlier eight-output blocks (assembly/matvec.ts). */
const EIGHT_ROWS = 4;
/** Default thread count cap: the row splits scale, but only 2 threads are measured (docs/performance.md). */
const MAX_DEFAULT_THREADS = 4;

/** The number of cores this runtime reports (1 when it reports none). */
export function availableCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? 1;
}

/** How one query's attention over a long context (a decode step) uses the worker threads (setOneQuerySplit). */
export type OneQuerySplit = "auto" | "always" | "never";

/** The phases of a split one-query attention: run by the dispatcher itself, not called from outside. */
type OneQueryPhases =
  | "attention1_begin" | "attention1_scores" | "attention1_weights" | "attention1_max" | "attention1_exps" | "attention1_sum" | "attention1_values";

export class KernelDispatch implements Omit<WasmKernels, OneQueryPhases> {
  private k: WasmKernels;
  private variant: 0 | 1;
  private readonly builds: { plain: WasmKernels; relaxed?: WasmKernels };
  private pool: Pool | undefined;
  private wanted: number;
  /** Why fewer threads run than were asked for, if so. */
  threadsReason?: string;
  /** Calls split over the pool so far (for tests and benchmarks). */
  splitCalls = 0;
  /** Heads of split one-query attentions whose exps were split too, so far (for tests). */
  splitExps = 0;
  /** One-query attentions long enough to split (splitsOneQuery's size) that ran split, and that ran on the calling thread, so far. */
  oneQuerySplits = 0;
  oneQueryAlone = 0;
  /**
   * Whether the one-query split is faster here than the kernel alone, timed now and then: one watch per
   * size of attention (visible keys × head width, by powers of two from ONE_QUERY_MIN_WORK), since what a
   * split gains grows with the keys and a verdict at 600 keys says nothing about 9,900. Block tables have
   * watches of their own (the next WATCH_SIZES).
   */
  private readonly watches = Array.from({ length: 2 * WATCH_SIZES }, () => new SplitWatch());
  /** The watch of the one-query attention splitsOneQuery last judged (attentionRecord's). */
  private watch = this.watches[0]!;
  /** setOneQuerySplit: "auto" asks the watch. */
  oneQuerySplit: OneQuerySplit = "auto";
  /** Visible keys from which a split one-query attention splits its exps too (tests and benchmarks move it). */
  oneQueryExpsMinKeys = ONE_QUERY_EXPS_MIN_KEYS;
  /** Attention scores scratch of the workers (two rows of S each), grown on demand. */
  private scratchAt = 0;
  private scratchBytes = 0;
  /** The state block of a split one-query attention (attention-one.ts), allocated on first use, and the head width it fits. */
  private oneState = 0;
  private oneStateWidth = 0;

  constructor(private readonly compiled: CompiledKernels, private readonly heap: Heap) {
    const { memory, modules } = compiled;
    const make = (m: WebAssembly.Module): WasmKernels => new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as WasmKernels;
    this.builds = { plain: make(modules.plain), ...(modules.relaxed ? { relaxed: make(modules.relaxed) } : {}) };
    this.k = this.builds.relaxed ?? this.builds.plain;
    this.variant = this.builds.relaxed ? 1 : 0;
    const env = typeof process !== "undefined" ? process.env?.["TINYLM_THREADS"] : undefined;
    const n = env ? Number(env) : Math.min(availableCores(), MAX_DEFAULT_THREADS);
    this.wanted = 1;
    if (Number.isInteger(n) && n >= 1) this.setThreads(n);
    else this.threadsReason = `TINYLM_THREADS="${env}" is not a whole number >= 1; one thread runs`;
  }

  /** True when the fused multiply-add build runs. */
  get fma(): boolean {
    return this.variant === 1;
  }

  get fmaReason(): string | undefined {
    return this.variant === 1 ? undefined : this.compiled.relaxedReason ?? "turned off by setFma(false)";
  }

  setFma(on: boolean): void {
    if (on && !this.builds.relaxed) throw new BackendError(`fused multiply-add is unavailable: ${this.compiled.relaxedReason}`);
    this.variant = on ? 1 : 0;
    this.k = on ? this.builds.relaxed! : this.builds.plain;
  }

  /** Threads that run a large call (1: the calling thread alone). */
  get threads(): number {
    return this.wanted;
  }

  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new BackendError(`threads must be a whole number >= 1, got ${n}`);
    this.threadsReason = undefined;
    if (n > 1 && !this.compiled.shared) {
      this.threadsReason = this.compiled.sharedReason;
      n = 1;
    }
    this.wanted = n;
  }

  /** The pool when at least two threads are wanted and its workers are ready; starts it on first need. */
  private lanes(): number {
    if (this.wanted < 2) return 0;
    const pool = this.pool;
    if (pool === undefined || pool.size !== this.wanted - 1) {
      if (pool?.failure) return 0;
      pool?.close(); // every worker joins every job: another count needs another pool (its 1 KB control block stays)
      this.pool = new Pool(this.compiled, (bytes) => this.heap.alloc(bytes), this.wanted - 1);
      if (this.pool.failure) this.threadsReason = `no worker threads: ${this.pool.failure}`;
      return 0;
    }
    return pool.isReady() ? pool.size : 0;
  }

  /** Chunks of split calls the worker threads have run (the rest ran on the calling thread). */
  get workerChunks(): number {
    return this.pool?.workerChunks ?? 0;
  }

  /**
   * Starts the worker threads now (they take ~65 ms to come up) instead of at the first large call.
   * Returns the threads a large call runs on right now (1 until the workers are ready), or 0 while
   * the workers are still starting.
   */
  warm(): number {
    if (this.wanted < 2) return 1;
    const lanes = this.lanes();
    if (lanes > 0) return lanes + 1;
    return this.pool && !this.pool.failure ? 0 : 1;
  }

  /** The earlier decode path, for the speed script's baseline (setDecodeBaseline): eight-output matvec blocks. */
  baseline = false;

  matvec(x: number, w: number, ws: number, bias: number, out: number, n: number, m: number, flags: number): void {
    this.k.matvec(x, w, ws, bias, out, n, m, this.baseline ? flags | EIGHT_ROWS : flags);
  }

  // a kernel program (a decode step's small calls): on the calling thread
  run_program(prog: number, from: number, to: number, p: number, token: number): number {
    return this.k.run_program(prog, from, to, p, token);
  }

  exp_f32(x: number, out: number, n: number): void {
    this.k.exp_f32(x, out, n);
  }

  copy_rows(src: number, ss: number, dst: number, ds: number, rows: number, d: number): void {
    this.k.copy_rows(src, ss, dst, ds, rows, d);
  }

  // attention over a block table and over int8 rows: on the calling thread (a decode step's one query row)
  attention_paged(
    q: number, qs: number, kTable: number, vTable: number, col: number, rs: number, B: number, out: number, os: number,
    T: number, S: number, dh: number, scale: number, qStart: number, p0: number, window: number, sinks: number, scores: number,
  ): number {
    return this.k.attention_paged(q, qs, kTable, vTable, col, rs, B, out, os, T, S, dh, scale, qStart, p0, window, sinks, scores);
  }

  attention_int8(
    q: number, qs: number, kq: number, kRow: number, kSc: number, G: number, kScRow: number, nq: number, kf: number, kfRow: number,
    vq: number, vRow: number, vSc: number, out: number, os: number,
    T: number, S: number, dh: number, scale: number, qStart: number, p0: number, window: number, sinks: number, scores: number,
  ): number {
    return this.k.attention_int8(q, qs, kq, kRow, kSc, G, kScRow, nq, kf, kfRow, vq, vRow, vSc, out, os, T, S, dh, scale, qStart, p0, window, sinks, scores);
  }

  linear(x: number, xs: number, w: number, ws: number, bias: number, out: number, os: number, T: number, n: number, m: number, flags: number): void {
    const work = T * n * m;
    const lanes = T >= 4 && work >= LINEAR_MIN_WORK ? this.lanes() : 0;
    if (lanes === 0) return this.k.linear(x, xs, w, ws, bias, out, os, T, n, m, flags);
    const pool = this.pool!;
    this.splitCalls++;
    // chunks of an even number of rows (the kernel's row pairs stay whole), a few per thread, each >= CHUNK_MIN_WORK
    const chunks = Math.max(2, Math.min(CHUNKS_PER_THREAD * (lanes + 1), MAX_CHUNKS, Math.floor(work / CHUNK_MIN_WORK)));
    const per = (Math.ceil(T / chunks) + 1) & ~1;
    const count = evenCuts(pool.cuts, T, per);
    const a = pool.args;
    a[0] = x; a[1] = xs; a[2] = w; a[3] = ws; a[4] = bias; a[5] = out; a[6] = os; a[8] = n; a[9] = m; a[10] = flags;
    pool.run(this.k as never, OP_LINEAR, this.variant, count, 0);
  }

  layer_norm(x: number, xs: number, w: number, b: number, out: number, os: number, T: number, d: number, eps: number): void {
    const lanes = T >= LAYER_NORM_MIN_ROWS ? this.lanes() : 0;
    if (lanes === 0) return this.k.layer_norm(x, xs, w, b, out, os, T, d, eps);
    const pool = this.pool!;
    this.splitCalls++;
    const count = evenCuts(pool.cuts, T, Math.ceil(T / (2 * (lanes + 1))));
    const a = pool.args;
    a[0] = x; a[1] = xs; a[2] = w; a[3] = b; a[4] = out; a[5] = os; a[7] = d; a[8] = eps;
    pool.run(this.k as never, OP_LAYER_NORM, this.variant, count, 0);
  }

  /**
   * True when one query's attention over S keys (head width dh, the mask's window) is split over the pool;
   * blockRows: the rows of a block table's blocks, 0 for keys in rows. A block table is split only when its
   * blocks hold a multiple of 4 rows (the paged score loop pads a block's last keys up to a multiple of 4
   * with -inf, which past a part's end would be the next part's scores). From ONE_QUERY_MIN_WORK the split
   * watch of the attention's size decides (block tables have watches of their own: each column chunk of
   * their value pass repeats the per-block work, so they gain less at the same size).
   */
  splitsOneQuery(S: number, window: number, dh: number, blockRows = 0): boolean {
    const work = Math.min(S, window) * dh;
    if (work < ONE_QUERY_MIN_WORK || dh < 2 * ONE_QUERY_COLUMNS || blockRows % 4 !== 0) return false;
    if (this.oneQuerySplit === "never" || this.lanes() === 0) return this.alone();
    if (this.oneQuerySplit === "always") return true;
    const size = Math.min(WATCH_SIZES - 1, Math.floor(Math.log2(work / ONE_QUERY_MIN_WORK)));
    this.watch = this.watches[blockRows > 0 ? WATCH_SIZES + size : size]!;
    return this.watch.allows() || this.alone();
  }

  /** Counts a one-query attention that runs on the calling thread; false. */
  private alone(): false {
    this.oneQueryAlone++;
    return false;
  }

  /**
   * Runs the attention record of one query at byte address `record` (a kernel program's, program.ts: S
   * keys, head width dh, `heads` heads) split over the pool, head by head: the scores by parts of the key
   * ranges, then the exps and their sum on this thread (over ONE_QUERY_EXPS_MIN_KEYS visible keys or more:
   * the exps by stretches on the pool, the first stretch's sum beside its exps, then the rest of the sum
   * alone on this thread, in the kernel's order), then the value pass by output columns
   * (assembly/attention-one.ts). Every score and every output column is computed whole, so the bits are
   * the record's kernel's. While the watch probes, the attention is timed, and half of a probe's
   * attentions run the record's kernel alone instead. Returns the kernel's result for the row (0, 1 when it sees no key,
   * -1 when a score is NaN). Allocates no JS memory: a decode step calls it.
   */
  attentionRecord(record: number, heads: number, S: number, window: number, dh: number): number {
    const watch = this.watch;
    if (this.oneQuerySplit !== "auto" || !watch.probing) return this.splitRecord(record, heads, S, window, dh);
    // a probe of the split against the kernel alone (split-watch.ts)
    // only the attentions that count are timed: performance.now() allocates a heap number
    const alone = watch.probeAlone, counts = watch.probeCounts;
    const t0 = counts ? performance.now() : 0;
    const r = alone ? this.unsplitRecord(record, S) : this.splitRecord(record, heads, S, window, dh);
    watch.timed(counts ? performance.now() - t0 : 0);
    if (alone) this.pool!.wake(); // workers that slept through it spin again: the split's turn may come next
    return r;
  }

  /** The attention record at `record` run by its kernel on this thread (as a program of that record alone). */
  private unsplitRecord(record: number, S: number): number {
    this.oneQueryAlone++;
    return this.k.run_program(record, 0, 1, S - 1, 0) >> 10;
  }

  private splitRecord(record: number, heads: number, S: number, window: number, dh: number): number {
    const pool = this.pool!;
    const state = this.oneQueryState(dh);
    if (state === 0) return this.unsplitRecord(record, S);
    this.splitCalls++;
    this.oneQuerySplits++;
    // a multiple of the threads: 3 parts on 2 threads leave the caller scoring two of them
    const threads = pool.size + 1, most = Math.min(ONE_QUERY_MAX_PARTS, CHUNKS_PER_THREAD * threads, Math.floor(Math.min(S, window) / ONE_QUERY_MIN_KEYS));
    const parts = Math.max(2, most - (most % threads));
    // a chunk of columns per thread where they are wide enough: each thread then reads whole 128-byte
    // stretches of every value row, in one pass (4 chunks of 16 on 2 threads measured ~7% slower at 1,000 keys)
    const columnsPer = Math.max(ONE_QUERY_COLUMNS, ONE_QUERY_COLUMNS * Math.floor(dh / (ONE_QUERY_COLUMNS * threads)));
    const splitExps = Math.min(S, window) >= this.oneQueryExpsMinKeys;
    const a = pool.args;
    let late = false;
    for (let h = 0; h < heads; h++) {
      this.k.attention1_begin(record, h, state);
      a[0] = state; a[1] = parts;
      pool.run(this.k as never, OP_ATTENTION1_SCORES, this.variant, parts, 0); // chunk c is part c
      late ||= pool.late;
      if (splitExps) {
        const r = this.k.attention1_max(state, parts);
        if (r !== 0) return r;
        a[1] = threads; // a stretch per thread: the one that starts the sum costs no more than the others
        pool.run(this.k as never, OP_ATTENTION1_EXPS, this.variant, threads, 0);
        late ||= pool.late;
        this.k.attention1_sum(state, threads);
        this.splitExps++;
      } else {
        const r = this.k.attention1_weights(state, parts);
        if (r !== 0) return r;
      }
      a[0] = state;
      const columns = evenCuts(pool.cuts, dh, columnsPer);
      pool.run(this.k as never, OP_ATTENTION1_VALUES, this.variant, columns, 0);
      late ||= pool.late;
    }
    if (late) this.watch.late();
    return 0;
  }

  /**
   * One-query attentions of the size last judged still to run unsplit because the split was slower or a
   * worker late (split-watch.ts); setting it sets every size's (tests set it to 0).
   */
  get splitPause(): number {
    return this.watch.pause;
  }
  set splitPause(n: number) {
    for (const w of this.watches) w.pause = n;
  }

  /** The state block of a split one-query attention for head width dh (attention-one.ts), or 0 when memory is full. */
  private oneQueryState(dh: number): number {
    if (dh > this.oneStateWidth) {
      if (this.oneState !== 0) this.heap.release(this.oneState);
      this.oneState = this.heap.alloc(ONE_QUERY_STATE_HEAD + 4 * ONE_QUERY_MAX_PARTS * dh);
      this.oneStateWidth = this.oneState === 0 ? 0 : dh;
    }
    return this.oneState;
  }

  attention(
    q: number, qs: number, k: number, ks: number, v: number, vs: number, out: number, os: number,
    T: number, S: number, dh: number, scale: number, qStart: number, pos: number, window: number, sinks: number, scores: number,
  ): number {
    const lanes = T >= 4 && T * Math.min(S, window) * dh >= 2 * ATTENTION_MIN_WORK ? this.lanes() : 0;
    if (lanes === 0) return this.k.attention(q, qs, k, ks, v, vs, out, os, T, S, dh, scale, qStart, pos, window, sinks, scores);
    const pool = this.pool!;
    // each participant's scores scratch: two rows of S (a chunk of rows scores them in pairs)
    const stride = attentionScratchBytes(S, 2);
    if (this.scratchBytes < stride * lanes) {
      if (this.scratchAt) this.heap.release(this.scratchAt);
      this.scratchAt = this.heap.alloc(2 * stride * lanes);
      this.scratchBytes = this.scratchAt ? 2 * stride * lanes : 0;
      if (!this.scratchAt) return this.k.attention(q, qs, k, ks, v, vs, out, os, T, S, dh, scale, qStart, pos, window, sinks, scores);
    }
    this.splitCalls++;
    const chunks = Math.max(2, Math.min(CHUNKS_PER_THREAD * (lanes + 1), MAX_CHUNKS, T >> 1));
    const cuts = splitRows(T, S, qStart, window, chunks);
    pool.cuts.set(cuts);
    const a = pool.args;
    a[0] = q; a[1] = qs; a[2] = k; a[3] = ks; a[4] = v; a[5] = vs; a[6] = out; a[7] = os; a[9] = S; a[10] = dh; a[11] = scale;
    a[12] = qStart; a[13] = pos; a[14] = window; a[15] = sinks; a[16] = this.scratchAt - stride; a[17] = stride; // worker w (1, 2, …) at base + w·stride
    const result = pool.run(this.k as never, OP_ATTENTION, this.variant, cuts.length - 1, scores);
    return shift(result, pool.resultRow);
  }
}

/** Writes cuts 0, per, 2·per, …, T into `cuts`; returns the number of chunks. */
function evenCuts(cuts: Int32Array, T: number, per: number): number {
  let c = 0;
  for (let r = 0; r < T; r += per) cuts[c++] = r;
  cuts[c] = T;
  return c;
}

/** A nonzero attention result of a part starting at row `start`, as a result of the whole call. */
const shift = (r: number, start: number): number => (r === 0 ? 0 : r > 0 ? r + start : r - start);

/**
 * Row boundaries [0, c1, …, T] cutting T query rows into `parts` of about equal work, a row at position
 * p costing the keys it may see, ~min(p + 1, S, window) (positions consecutive from qStart: the causal
 * case; otherwise only the balance suffers, never the result).
 */
export function splitRows(T: number, S: number, qStart: number, window: number, parts: number): number[] {
  const cost = (i: number): number => Math.min(qStart + i + 1, S, window) + 16;
  let total = 0;
  for (let i = 0; i < T; i++) total += cost(i);
  const cuts = [0];
  let acc = 0;
  for (let i = 0; i < T && cuts.length < parts; i++) {
    acc += cost(i);
    if (acc >= (total * cuts.length) / parts) cuts.push(i + 1);
  }
  while (cuts.length < parts) cuts.push(T);
  cuts.push(T);
  return cuts;
}

/** Parses a thread count from the environment or a flag; throws a BackendError naming `what`. */
export function parseThreads(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BackendError(`${what} must be a whole number >= 1, got "${text}"`);
  return n;
}
