// The last token's attention, per layer: collected from the model's AttentionObserver during a forward
// pass, then laid out as a row of shaded cells under the words it looked at (darker = more weight).
import type { AttentionObserver } from "@tinylm/model";

/** Attention of one query (the last token fed to the model) over the keys it could see. */
export interface AttentionSnapshot {
  readonly queryPosition: number; // absolute position of the query token
  readonly positions: readonly number[]; // absolute position of each key [S]
  readonly layers: readonly (readonly number[])[]; // [L][S] weights, the mean over heads
}

/**
 * Keeps the last query row of every layer from the most recent forward pass.
 * Pass `recorder.observe` as generate's onAttention; read `snapshot()` after a token.
 */
export class AttentionRecorder {
  private layers: number[][] = [];
  private positions: number[] = [];
  private queryPosition = 0;

  constructor(private readonly nHeads: number) {}

  readonly observe: AttentionObserver = (layer, head, probs, keyPositions) => {
    const [T, S] = probs.shape as [number, number]; // [T, S]
    if (layer === 0 && head === 0) {
      this.layers = [];
      this.positions = Array.from({ length: S }, (_, j) => keyPositions[j]!);
    }
    const row = (this.layers[layer] ??= new Array<number>(S).fill(0));
    for (let j = 0; j < S; j++) row[j]! += probs.get(T - 1, j) / this.nHeads;
    // the query sees itself: the largest visible key position is the query's own
    this.queryPosition = this.positions.reduce((a, b) => Math.max(a, b), 0);
  };

  snapshot(): AttentionSnapshot | null {
    if (this.layers.length === 0) return null;
    return { queryPosition: this.queryPosition, positions: [...this.positions], layers: this.layers.map((r) => [...r]) };
  }
}

export const SHADES = ["░", "▒", "▓", "█"] as const;
export const EVICTED = "·";

/**
 * Shade for weight w in a row spanning [low, high]: the row's smallest weight is ░, its largest █.
 * Relative shading, because attention of untrained weights is near uniform and absolute shades would
 * all look the same; the view prints the range beside each row.
 */
export function shade(w: number, low: number, high: number): string {
  if (!(high > low)) return SHADES[1];
  const level = Math.round(((w - low) / (high - low)) * (SHADES.length - 1));
  return SHADES[Math.max(0, Math.min(SHADES.length - 1, level))]!;
}

export interface AttentionLayout {
  readonly truncated: boolean; // earlier words did not fit
  readonly words: readonly string[]; // header cells (each padded to its cell width)
  readonly rows: readonly {
    readonly cells: readonly string[];
    readonly top: string; // the word with the most weight
    readonly high: number; // its weight
    readonly low: number; // the smallest weight in the row
  }[];
}

/**
 * Lays the snapshot under the words of `tokens` (the whole sequence, by position), keeping the last
 * words that fit in `width` columns; a position the cache no longer holds shows as "·".
 */
export function layoutAttention(snapshot: AttentionSnapshot, tokens: readonly string[], width: number): AttentionLayout {
  const last = Math.min(snapshot.queryPosition, tokens.length - 1);
  let first = last + 1;
  let used = 1; // room for "…"
  while (first > 0 && used + tokens[first - 1]!.length + 1 <= width) {
    first--;
    used += tokens[first]!.length + 1;
  }
  const index = new Map(snapshot.positions.map((p, j) => [p, j]));
  const shown = tokens.slice(first, last + 1);
  const rows = snapshot.layers.map((weights) => {
    const high = Math.max(...weights);
    const low = Math.min(...weights);
    const top = tokens[snapshot.positions[weights.indexOf(high)] ?? 0] ?? "?";
    const cells = shown.map((word, i) => {
      const j = index.get(first + i);
      return (j === undefined ? EVICTED : shade(weights[j]!, low, high)).repeat(word.length);
    });
    return { cells, top, high, low };
  });
  return { truncated: first > 0, words: shown, rows };
}
