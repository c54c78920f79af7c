import type { Key } from "ink";
import { describe, expect, it } from "vitest";
import { EMPTY_LINE, editLine, keyToEdit, type LineEdit, type LineState, splitKeys } from "./line-editor.js";

const run = (edits: LineEdit[], start: LineState = EMPTY_LINE): LineState => edits.reduce(editLine, start);
const key = (flags: Partial<Key> = {}): Key => ({
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false,
  end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false,
  meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...flags,
});

describe("line editor", () => {
  it("inserts at the cursor and erases to its left", () => {
    const line = run([{ type: "insert", text: "the cxt" }, { type: "left" }, { type: "backspace" }, { type: "insert", text: "a" }]);
    expect(line).toEqual({ value: "the cat", cursor: 6 });
    expect(run([{ type: "backspace" }])).toEqual(EMPTY_LINE);
  });

  it("moves within the line and no further", () => {
    const start = { value: "dog", cursor: 3 };
    expect(run([{ type: "right" }], start).cursor).toBe(3);
    expect(run([{ type: "home" }, { type: "left" }], start).cursor).toBe(0);
    expect(run([{ type: "home" }, { type: "delete" }], start)).toEqual({ value: "og", cursor: 0 });
    expect(run([{ type: "home" }, { type: "end" }], start).cursor).toBe(3);
  });

  it("deletes the word before the cursor and clears the line", () => {
    expect(run([{ type: "delete-word" }], { value: "the cat sat ", cursor: 12 })).toEqual({ value: "the cat ", cursor: 8 });
    expect(run([{ type: "clear" }], { value: "the cat", cursor: 3 })).toEqual(EMPTY_LINE);
  });

  it("replaces the line with the cursor at the end, dropping control characters", () => {
    expect(run([{ type: "set", value: "a dog\r" }])).toEqual({ value: "a dog", cursor: 5 });
    expect(run([{ type: "insert", text: "a\tb" }])).toEqual({ value: "ab", cursor: 2 });
  });

  it("maps keys to edits and leaves commands alone", () => {
    expect(keyToEdit("x", key())).toEqual({ type: "insert", text: "x" });
    expect(keyToEdit("", key({ delete: true }))).toEqual({ type: "backspace" }); // the terminal's Backspace
    expect(keyToEdit("u", key({ ctrl: true }))).toEqual({ type: "clear" });
    expect(keyToEdit("k", key({ ctrl: true }))).toBeNull(); // a command: must not type "k"
    expect(keyToEdit("", key({ return: true }))).toBeNull();
    expect(keyToEdit("", key({ escape: true, meta: true }))).toBeNull();
  });

  it("splits a burst of keys that arrived as one chunk back into keys", () => {
    const keys = splitKeys("\tsat\r", key());
    expect(keys.map(([input, k]) => [input, k.tab, k.return])).toEqual([
      ["", true, false],
      ["sat", false, false],
      ["", false, true],
    ]);
    expect(splitKeys("the cat", key())).toEqual([["the cat", key()]]);
  });
});
