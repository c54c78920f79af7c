import { generateSync, makeConfig, TinyLM, type AttentionObserver } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { AttentionRecorder, type AttentionSnapshot, EVICTED, layoutAttention, shade } from "./attention.js";

type Probs = Parameters<AttentionObserver>[2];
/** A [T, S] row-major matrix with the two members the recorder reads. */
const matrix = (rows: number[][]): Probs => ({ shape: [rows.length, rows[0]!.length], get: (t: number, s: number) => rows[t]![s]! }) as unknown as Probs;

describe("AttentionRecorder", () => {
  it("keeps the last query row of each layer, averaged over heads", () => {
    const recorder = new AttentionRecorder(2);
    const positions = [0, 1, 2];
    recorder.observe(0, 0, matrix([[1, 0, 0], [0.2, 0.2, 0.6]]), positions);
    recorder.observe(0, 1, matrix([[1, 0, 0], [0.4, 0.4, 0.2]]), positions);
    recorder.observe(1, 0, matrix([[1, 0, 0], [1, 0, 0]]), positions);
    recorder.observe(1, 1, matrix([[1, 0, 0], [0, 0, 1]]), positions);
    const snap = recorder.snapshot()!;
    expect(snap.queryPosition).toBe(2);
    expect(snap.positions).toEqual([0, 1, 2]);
    expect(snap.layers[0]!.map((w) => +w.toFixed(6))).toEqual([0.3, 0.3, 0.4]);
    expect(snap.layers[1]).toEqual([0.5, 0, 0.5]);
  });

  it("starts over at each forward pass and is empty before the first", () => {
    const recorder = new AttentionRecorder(1);
    expect(recorder.snapshot()).toBeNull();
    recorder.observe(0, 0, matrix([[0.5, 0.5]]), [4, 5]);
    recorder.observe(0, 0, matrix([[0.1, 0.2, 0.7]]), [4, 5, 6]);
    expect(recorder.snapshot()).toEqual({ queryPosition: 6, positions: [4, 5, 6], layers: [[0.1, 0.2, 0.7]] });
  });

  it("records a probability distribution per layer over every earlier position of a real model", () => {
    const model = TinyLM.init(makeConfig({ nHeads: 4 }), { seed: 3 });
    const recorder = new AttentionRecorder(4);
    generateSync(model, "the cat sat", { maxNewTokens: 5, cache: "full", onAttention: recorder.observe });
    const snap = recorder.snapshot()!;
    // the 5th token is predicted from the 4th generated one, at position 3 + 4 - 1 = 6
    expect(snap.queryPosition).toBe(6);
    expect(snap.positions).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(snap.layers).toHaveLength(3);
    for (const row of snap.layers) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe("layoutAttention", () => {
  it("shades each row from its smallest weight to its largest", () => {
    expect(shade(0.1, 0.1, 0.5)).toBe("░");
    expect(shade(0.5, 0.1, 0.5)).toBe("█");
    expect(shade(0.5, 0, 1)).toBe("▓"); // half way: level 1.5 rounds to 2
    expect(shade(0.25, 0, 1)).toBe("▒"); // level 0.75 rounds to 1
    expect(shade(0.2, 0.2, 0.2)).toBe("▒"); // a flat row
  });

  it("puts one cell per letter under each word up to the query and marks evicted positions", () => {
    const snap: AttentionSnapshot = { queryPosition: 3, positions: [0, 2, 3], layers: [[0.6, 0.1, 0.3]] };
    const layout = layoutAttention(snap, ["the", "cat", "sat", "on", "mat"], 80);
    expect(layout.truncated).toBe(false);
    expect(layout.words).toEqual(["the", "cat", "sat", "on"]);
    expect(layout.rows[0]!.cells).toEqual(["███", EVICTED.repeat(3), "░░░", "▒▒"]);
    expect(layout.rows[0]).toMatchObject({ top: "the", high: 0.6, low: 0.1 });
  });

  it("keeps the last words that fit the width", () => {
    const snap: AttentionSnapshot = { queryPosition: 4, positions: [0, 1, 2, 3, 4], layers: [[0.2, 0.2, 0.2, 0.2, 0.2]] };
    const layout = layoutAttention(snap, ["the", "cat", "sat", "on", "a", "mat"], 10);
    expect(layout.truncated).toBe(true);
    expect(layout.words).toEqual(["sat", "on", "a"]); // "…" + "sat on a" and a space each: 10 columns
  });
});
