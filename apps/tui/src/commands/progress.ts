// The progress line of a long generation (the `none` cache at context 10,000 takes minutes): tokens
// done, tokens per second and the time left, rewritten in place with \r on a terminal at most every 100 ms.
// Runs that finish before the first 100 ms never draw it.
import type { TokenEvent } from "@tinylm/model";

/**
 * Time left when a decode step at position p costs about stepMs·(p / position)^growth: growth 0 for a
 * cache (constant steps), 1 or more for `none` (each step recomputes the whole prefix).
 * The sum over the remaining positions is taken as its integral. estimateRemainingMs(2, 10, 20, 0) === 20
 */
export function estimateRemainingMs(stepMs: number, position: number, endPosition: number, growth: number): number {
  if (endPosition <= position) return 0;
  const k = growth + 1;
  return (stepMs * (endPosition ** k - position ** k)) / (k * position ** growth);
}

/** "<1 s", "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return "<1 s";
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const SMOOTHING = 0.2; // weight of the newest step in the moving average of step times

export class ProgressLine {
  private drawn = false;
  private lastDraw: number;
  private average: number | undefined; // ms per decode step, smoothed
  private readonly history: { position: number; average: number }[] = [];

  /** `write` goes to a terminal; `total` is max_new_tokens. */
  constructor(
    private readonly write: (text: string) => void,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = 100,
  ) {
    this.lastDraw = now();
  }

  /** Pass as GenerateOptions.onToken. */
  readonly onToken = (event: TokenEvent): void => {
    if (event.index > 0) {
      // the first event's time is the prefill; only decode steps predict the next ones
      this.average = this.average === undefined ? event.ms : SMOOTHING * event.ms + (1 - SMOOTHING) * this.average;
      this.history.push({ position: event.position, average: this.average });
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
    if (this.average === undefined) return head;
    const remaining = estimateRemainingMs(this.average, event.position, event.position + this.total - done, this.growth());
    return `${head}, ${(1000 / this.average).toFixed(1)} tok/s, about ${formatDuration(remaining)} left`;
  }

  /** How step time grows with position, from the smoothed step time now and at half the steps: 0..2. */
  private growth(): number {
    const last = this.history.at(-1);
    const half = this.history[Math.floor(this.history.length / 2)];
    if (last === undefined || half === undefined || this.history.length < 8 || half.position === last.position) return 0;
    const k = Math.log(last.average / half.average) / Math.log(last.position / half.position);
    return Number.isFinite(k) ? Math.min(2, Math.max(0, k)) : 0;
  }
}
