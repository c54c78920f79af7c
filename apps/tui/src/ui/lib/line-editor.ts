// The prompt line as a value and a cursor, edited by pure actions. The UI keeps the current line in a
// ref and renders a copy, so keys that arrive faster than React re-renders (typing while a slow
// generation holds the event loop, a paste, a burst) are applied in order and none is lost.
import type { Key } from "ink";

export interface LineState {
  readonly value: string;
  readonly cursor: number; // 0..value.length
}

export type LineEdit =
  | { readonly type: "insert"; readonly text: string }
  | { readonly type: "backspace" | "delete" | "left" | "right" | "home" | "end" | "clear" | "delete-word" }
  | { readonly type: "set"; readonly value: string };

export const EMPTY_LINE: LineState = { value: "", cursor: 0 };

// control characters (a pasted newline, a stray escape) would garble the line
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** The line after one edit. */
export function editLine(line: LineState, edit: LineEdit): LineState {
  const { value, cursor } = line;
  switch (edit.type) {
    case "insert": {
      const text = edit.text.replace(CONTROL, "");
      return { value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length };
    }
    case "backspace":
      return cursor === 0 ? line : { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 };
    case "delete":
      return { value: value.slice(0, cursor) + value.slice(cursor + 1), cursor };
    case "left":
      return { value, cursor: Math.max(0, cursor - 1) };
    case "right":
      return { value, cursor: Math.min(value.length, cursor + 1) };
    case "home":
      return { value, cursor: 0 };
    case "end":
      return { value, cursor: value.length };
    case "clear":
      return EMPTY_LINE;
    case "delete-word": {
      const start = value.slice(0, cursor).replace(/\S*\s*$/, "").length;
      return { value: value.slice(0, start) + value.slice(cursor), cursor: start };
    }
    case "set": {
      const text = edit.value.replace(CONTROL, "");
      return { value: text, cursor: text.length };
    }
  }
}

/**
 * The edit a key makes, or null for keys that are not editing (Enter, Tab, ↑/↓, Esc, other Ctrl keys).
 * Ink reports the terminal's Backspace (DEL, 0x7f) as `delete`, so both erase to the left, as in a shell;
 * Ctrl+D erases under the cursor.
 */
export function keyToEdit(input: string, key: Key): LineEdit | null {
  if (key.return || key.tab || key.upArrow || key.downArrow || key.escape) return null;
  if (key.backspace || key.delete) return { type: "backspace" };
  if (key.leftArrow) return { type: "left" };
  if (key.rightArrow) return { type: "right" };
  if (key.home) return { type: "home" };
  if (key.end) return { type: "end" };
  if (key.ctrl) {
    if (input === "u") return { type: "clear" };
    if (input === "w") return { type: "delete-word" };
    if (input === "d") return { type: "delete" };
    if (input === "e") return { type: "end" };
    return null;
  }
  if (key.meta || input === "") return null;
  return { type: "insert", text: input };
}

const PLAIN: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false,
  end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false,
  meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};

/**
 * Keys that reached Ink as one chunk (a paste, or keys sent faster than it reads them) arrive as one
 * string: "\tsat\r" is Tab, s, a, t, Enter. Splits such a chunk back into keys; other input is one key.
 */
export function splitKeys(input: string, key: Key): [string, Key][] {
  if (input.length < 2 || key.ctrl || key.meta || !/[\t\r\n\u007f\b]/.test(input)) return [[input, key]];
  const keys: [string, Key][] = [];
  let text = "";
  const control = (flag: "tab" | "return" | "backspace"): void => {
    if (text !== "") keys.push([text, PLAIN]);
    text = "";
    keys.push(["", { ...PLAIN, [flag]: true }]);
  };
  for (const ch of input) {
    if (ch === "\t") control("tab");
    else if (ch === "\r" || ch === "\n") control("return");
    else if (ch === "\u007f" || ch === "\b") control("backspace");
    else text += ch;
  }
  if (text !== "") keys.push([text, PLAIN]);
  return keys;
}
