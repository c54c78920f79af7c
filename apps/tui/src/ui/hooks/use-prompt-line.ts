// The prompt line: its text and cursor (edited by line-editor.ts), Tab completion, and ↑/↓ history.
// The line as of the last key lives in a ref, ahead of React's copy, so keys that arrive faster than
// renders are applied in order and Enter submits what was typed.
import { useRef, useState } from "react";
import { completeCurrentWord } from "../lib/completion.js";
import { EMPTY_LINE, editLine, type LineEdit, type LineState } from "../lib/line-editor.js";
import { usePromptHistory } from "./use-prompt-history.js";

export interface PromptLine {
  /** The line to draw. */
  readonly line: LineState;
  /** The text as of the last key. */
  text(): string;
  edit(edit: LineEdit): void;
  /** Tab: completes the word being typed from the vocabulary. */
  complete(): void;
  /** ↑ / ↓ through earlier prompts. */
  older(): void;
  newer(): void;
  /** Remembers a submitted prompt and clears the line. */
  submitted(prompt: string): void;
}

export function usePromptLine(): PromptLine {
  const [line, setLine] = useState(EMPTY_LINE);
  const current = useRef(EMPTY_LINE);
  const history = usePromptHistory();

  const edit = (change: LineEdit): void => {
    current.current = editLine(current.current, change);
    setLine(current.current);
  };
  const replace = (value: string | null): void => {
    if (value !== null) edit({ type: "set", value });
  };

  return {
    line,
    text: () => current.current.value,
    edit,
    complete: () => replace(completeCurrentWord(current.current.value)),
    older: () => replace(history.older(current.current.value)),
    newer: () => replace(history.newer()),
    submitted: (prompt) => {
      history.push(prompt.trim());
      edit({ type: "clear" });
    },
  };
}
