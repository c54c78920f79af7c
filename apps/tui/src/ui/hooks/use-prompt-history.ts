// ↑/↓ through earlier prompts, shell style: ↑ from the draft goes to the newest prompt, ↓ past the
// newest returns to the draft that was being typed.
import { useCallback, useRef, useState } from "react";

export interface PromptHistory {
  readonly entries: readonly string[];
  /** Remembers a submitted prompt (a repeat of the newest is kept once) and leaves browsing. */
  push(prompt: string): void;
  /** The prompt before the one shown (or the newest, from the draft); null when there is none. */
  older(draft: string): string | null;
  /** The prompt after the one shown, or the draft; null when not browsing. */
  newer(): string | null;
}

export function usePromptHistory(initial: readonly string[] = []): PromptHistory {
  const [entries, setEntries] = useState<readonly string[]>(initial);
  const cursor = useRef<number | null>(null); // index into entries while browsing
  const draft = useRef("");

  const push = useCallback((prompt: string) => {
    cursor.current = null;
    setEntries((list) => (list.at(-1) === prompt ? list : [...list, prompt]));
  }, []);

  const older = useCallback(
    (current: string) => {
      if (entries.length === 0) return null;
      if (cursor.current === null) {
        draft.current = current;
        cursor.current = entries.length - 1;
      } else if (cursor.current > 0) {
        cursor.current--;
      }
      return entries[cursor.current] ?? null;
    },
    [entries],
  );

  const newer = useCallback(() => {
    if (cursor.current === null) return null;
    if (cursor.current < entries.length - 1) {
      cursor.current++;
      return entries[cursor.current] ?? null;
    }
    cursor.current = null;
    return draft.current;
  }, [entries]);

  return { entries, push, older, newer };
}
