// The progress line of a long generation (the `none` cache at context 10,000 takes minutes): tokens
// done, tokens per second and the time left, rewritten in place with \r on a terminal at most every 100 ms.
// Runs that finish before the first 100 ms never draw it. The time left comes from the cost model: the
// measured time per unit of cost (smoothed) times the cost of the steps to come, so it does not swing
// when `none`'s steps grow longer with the position.
import type { TokenEvent } from "@tinylm/model";

/** What a decode step costs at sequence length t, in any unit (FLOPs from the cost model): only ratios matter. */
export type StepCost = (t: number) => number;

/**
 * Time left: the steps that produce positions position+1..endPosition, each costing `msPerCost` per unit of
 * `cost`. remainingMs(() => 2, 10, 20, 1) === 20; with `none`'s recompute cost the later steps weigh more.
 */
export function remainingMs(cost: StepCost, position: number, endPosition: number, msPerCost: number): number {
  let units = 0;
  for (let t = position + 1; t <= endPosition; t++) units += cost(t);
  return units * msPerCost;
}

/** "<1 s", "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return "<1 s";
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const SMOOTHING = 0.1; // weight of the newest step in the moving averages

export class ProgressLine {
  private drawn = false;
  private lastDraw: number;
  private average: number | undefined; // ms per decode step, smoothed
  private msPerCost: number | undefined; // ms per unit of step cost, smoothed

  /** `write` goes to a terminal; `total` is max_new_tokens; `stepCost` the cost model of the run's strategy. */
  constructor(
    private readonly write: (text: string) => void,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = 100,
    private readonly stepCost: StepCost = () => 1,
  ) {
    this.lastDraw = now();
  }

  /** Pass as GenerateOptions.onToken. */
  readonly onToken = (event: TokenEvent): void => {
    if (event.index > 0) {
      // the first event's time is the prefill; only decode steps predict the next ones
      const perCost = event.ms / this.stepCost(event.position);
      this.average = this.average === undefined ? event.ms : SMOOTHING * event.ms + (1 - SMOOTHING) * this.average;
      this.msPerCost = this.msPerCost === undefined ? perCost : SMOOTHING * perCost + (1 - SMOOTHING) * this.msPerCost;
    }
    const t = this.now();
    if (t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.drawn = true;
    this.write(`\r${this.line(event)}\x1b[K`);
  };

  /** Erases the line if it was drawn, so what follows starts on a clean line. */
  clear(): void {
    if (this.drawn) this.write("\r\x1b[K");
    this.drawn = false;
  }

  private line(event: TokenEvent): string {
    const done = event.index + 1;
    const head = `generating: ${done}/${this.total} tokens`;
    if (this.average === undefined || this.msPerCost === undefined) return head;
    const remaining = remainingMs(this.stepCost, event.position, event.position + this.total - done, this.msPerCost);
    return `${head}, ${(1000 / this.average).toFixed(1)} tok/s, about ${formatDuration(remaining)} left`;
  }
}
