// Whether one query's attention is split over the pool (threads.ts), decided by timing both ways. A split
// pays when a second core is free and near: on this project's 2-core VM the hand-off between its two
// cores measured 0.12 µs in one hour and 0.6 µs in another (the host had moved them apart), and a split
// at 1,000 keys went from 1.3× faster than the kernel alone to slower. A busy machine takes the second
// core away altogether. So the watch measures: a probe runs ROUNDS rounds of GROUP attentions on the
// calling thread and GROUP split, and the split goes on only when its median is faster by MARGIN. The
// first attention of each group is not counted: it warms its way up (a worker that slept through the
// attentions on the calling thread takes tens of microseconds to wake), so each way is timed as it runs
// in a row.
// That verdict holds for the next `period` attentions, then the next probe. The period doubles while the
// probes find the split faster (PERIOD_MIN to PERIOD_MAX: a settled machine is probed less often) and
// starts over when a verdict changes. A verdict against the split always holds PERIOD_MIN: it may be the
// moment's, not the machine's — the workers sleep while the attentions run on the calling thread, and a
// worker whose core the host has parked can take milliseconds to come back (decode at 1,000 keys measured
// 60 µs a step split, slower than alone, for ~140 steps after a pause, then 42), or a young process's V8
// compiles on the other core for its first ~50 ms — so it is checked again soon (a probe costs ten split
// attentions). PERIOD_MAX stays modest for the same reasons. A worker that holds the caller up (Pool.late:
// the OS took its core) stops the split at once, until the next probe, and pauses that keep ending so
// double: that is a busy machine. The dispatcher keeps one watch per size of attention (threads.ts).
// Split or not, the bits are the same: only time is at stake.

/** Attentions timed together, and rounds of a group each way: a probe is 2 · GROUP · ROUNDS attentions. */
const GROUP = 2;
const ROUNDS = 5;
export const PROBE_CALLS = 2 * GROUP * ROUNDS;
/** Attentions a verdict holds for, at first and at most. */
export const PERIOD_MIN = 192;
export const PERIOD_MAX = 1536;
/** How much faster the split's median must be. */
const MARGIN = 0.03;

/** The median of five numbers, without allocating (a decode step runs this). */
function median5(a: Float64Array): number {
  for (let i = 0; i < 5; i++) {
    let below = 0, equal = 0;
    for (let j = 0; j < 5; j++) {
      if (a[j]! < a[i]!) below++;
      else if (a[j] === a[i]) equal++;
    }
    if (below <= 2 && below + equal > 2) return a[i]!;
  }
  return a[2]!; // NaN among them: not reached with times
}

export class SplitWatch {
  private splitting = true;
  /** Attentions left under the current verdict. */
  private left = 0;
  private period = PERIOD_MIN;
  /** False until the first probe's verdict (which holds PERIOD_MIN attentions whatever it is). */
  private judged = false;
  /** Attentions of the running probe so far; PROBE_CALLS when none runs. The first attentions probe. */
  private probed = 0;
  private readonly alone = new Float64Array(ROUNDS);
  private readonly split = new Float64Array(ROUNDS);

  /** True when the next one-query attention goes to the dispatcher: a split, or a probe's attention. */
  allows(): boolean {
    if (this.probed < PROBE_CALLS) return true;
    if (this.left > 0) {
      this.left--;
      return this.splitting;
    }
    this.probed = 0;
    this.alone.fill(0);
    this.split.fill(0);
    return true;
  }

  /** True while a probe runs: the dispatcher times the attention and reports it with `timed`. */
  get probing(): boolean {
    return this.probed < PROBE_CALLS;
  }

  /** Whether the probe's current attention counts (the second of its group): only then is it timed. */
  get probeCounts(): boolean {
    return this.probed % GROUP !== 0;
  }

  /** Whether the probe's current attention runs on the calling thread (otherwise split). */
  get probeAlone(): boolean {
    return Math.floor(this.probed / GROUP) % 2 === 0;
  }

  /** The probe's current attention took `ms` (any number when it does not count); the last one decides. */
  timed(ms: number): void {
    const round = Math.floor(this.probed / (2 * GROUP));
    const times = this.probeAlone ? this.alone : this.split;
    if (this.probeCounts) times[round] = times[round]! + ms; // not a group's first
    if (++this.probed < PROBE_CALLS) return;
    const splits = median5(this.split) < (1 - MARGIN) * median5(this.alone);
    this.period = this.judged && splits && this.splitting ? Math.min(2 * this.period, PERIOD_MAX) : PERIOD_MIN;
    this.judged = true;
    this.splitting = splits;
    this.left = this.period;
  }

  /** A worker held the caller up: the next attentions run on the calling thread (a running probe ends). */
  late(): void {
    this.probed = PROBE_CALLS;
    this.period = this.splitting ? PERIOD_MIN : Math.min(2 * this.period, PERIOD_MAX);
    this.splitting = false;
    this.left = this.period;
  }

  /** Attentions still to run on the calling thread before the next probe (0 while splitting). */
  get pause(): number {
    return this.probing || this.splitting ? 0 : this.left;
  }

  /** Tests and benchmarks: split now (0) or keep the next n attentions on the calling thread; no probe until then. */
  set pause(n: number) {
    this.probed = PROBE_CALLS;
    this.splitting = n === 0;
    this.left = n === 0 ? this.period : n;
  }
}
