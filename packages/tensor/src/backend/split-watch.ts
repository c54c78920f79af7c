// Whether the workers are there to help one query's attention split over the pool (threads.ts). On a busy
// machine they are not: a worker that lost its core leaves the caller doing the chunks alone while it
// shares that core with the worker spinning for jobs, and the split costs more than it gives. So each
// window of splits is judged: when the workers ran under 1/8 of its chunks, or one held the caller up
// (Pool.late), the next one-query attentions run on the calling thread. The pause is short at first (a
// core taken away for a moment costs little) and doubles with each failing window in a row, so a machine
// that stays busy is probed less and less often; a window where the workers helped resets it.

/** Splits in a window judged together; a late worker ends the window at once. */
const WINDOW = 32;
/** One-query attentions in the first pause, and in the longest. */
const PAUSE_MIN = 64;
const PAUSE_MAX = 4096;

export class SplitWatch {
  /** One-query attentions still to run on the calling thread; tests and benchmarks may set it to 0. */
  pause = 0;
  private next = PAUSE_MIN;
  private splits = 0;
  private chunks = 0;
  private byWorkers = 0;

  /** True when the next one-query attention may be split; false while paused (counting the pause down). */
  allows(): boolean {
    if (this.pause === 0) return true;
    this.pause--;
    return false;
  }

  /** A split ran `chunks` chunks, `byWorkers` of them on the workers; `late`: a worker held the caller up. */
  record(byWorkers: number, chunks: number, late: boolean): void {
    this.chunks += chunks;
    this.byWorkers += byWorkers;
    if (++this.splits < WINDOW && !late) return;
    if (late || this.byWorkers * 8 < this.chunks) {
      this.pause = this.next;
      this.next = Math.min(2 * this.next, PAUSE_MAX);
    } else this.next = PAUSE_MIN;
    this.splits = this.chunks = this.byWorkers = 0;
  }
}
