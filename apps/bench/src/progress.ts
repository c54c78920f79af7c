// Progress while the bench runs: a redrawn bar on a terminal, plain lines otherwise (CI, pipes), both with
// an estimate of the time left. Work is counted in the cost model's multiply-adds (plus a fixed amount per
// step), so the estimate knows that the no-cache runs are most of the time.
import { stepMacs, type CostDimensions as Dimensions } from "@tinylm/model";
import { formatClock } from "./format.js";
import type { RunSpec } from "./sweep.js";

/** Work units of one step, MACs plus a per-step constant standing for fixed costs (~25 µs at ~2 ns/MAC). */
const STEP_OVERHEAD = 12_000;

/** Work units of each step of `run`, in order. */
export function stepWork(config: Dimensions, promptTokens: number, run: RunSpec): number[] {
  const kind = run.kind === "none" ? "none" : "cache";
  return Array.from({ length: run.tokens }, (_, i) => stepMacs(config, kind, promptTokens, i) + STEP_OVERHEAD);
}

/** "[#########-----------]  45% · sweep none 2/3 · 3m05s elapsed · ~3m50s left" */
export function progressLine(fraction: number, label: string, elapsedMs: number, barWidth = 24): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * barWidth);
  const bar = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`;
  const eta = f >= 0.01 && elapsedMs >= 2000 ? `~${formatClock((elapsedMs * (1 - f)) / f)} left` : "estimating time left…";
  return `${bar} ${String(Math.floor(f * 100)).padStart(3)}% · ${label} · ${formatClock(elapsedMs)} elapsed · ${eta}`;
}

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export class Progress {
  private done = 0;
  private label = "";
  private lastDraw = -Infinity;
  private readonly t0: number;

  /** interactive: redraw one line in place (a terminal); otherwise print a line per run and every `plainEveryMs`. */
  constructor(
    private readonly out: ProgressOutput,
    private readonly total: number,
    private readonly interactive: boolean,
    private readonly now: () => number = () => performance.now(),
    private readonly plainEveryMs = 15_000,
  ) {
    this.t0 = now();
  }

  /** A new run begins; `label` names it. */
  begin(label: string): void {
    this.label = label;
    this.draw(true);
  }

  /** `work` more units are done. */
  advance(work: number): void {
    this.done += work;
    this.draw(false);
  }

  /** Clears the bar (on a terminal) and prints `message`. */
  end(message: string): void {
    if (this.interactive) this.out.write("\r\x1b[2K");
    this.out.write(`${message}\n`);
  }

  private draw(force: boolean): void {
    const t = this.now();
    const every = this.interactive ? 100 : this.plainEveryMs;
    if (!force && t - this.lastDraw < every) return;
    if (!this.interactive && force && t - this.lastDraw < 1000 && this.lastDraw > -Infinity) return; // quick runs: no flood
    this.lastDraw = t;
    const line = progressLine(this.total > 0 ? this.done / this.total : 1, this.label, t - this.t0);
    this.out.write(this.interactive ? `\r\x1b[2K${line}` : `bench: ${line}\n`);
  }
}
