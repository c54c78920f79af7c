// The app's key bindings, and the prompt line's editing keys (line-editor.ts). In the settings panel
// its lists (ink-select-input) and editor (ink-text-input) read the keys; only Ctrl keys reach here.
// Ctrl+C stops a running generation and quits when nothing runs.
import { type Key, useApp, useInput } from "ink";
import { keyToEdit, splitKeys } from "../lib/line-editor.js";
import type { Session } from "./use-session.js";

export function useKeys(session: Session, active: boolean): void {
  const { exit } = useApp();
  const onKey = (input: string, key: Key): void => {
    const { generation, panel } = session;
    if (key.ctrl && input === "c") {
      if (generation.busy()) session.stop();
      else exit();
      return;
    }
    if (key.ctrl && input === "o") return session.togglePanel("settings");
    if (key.ctrl && input === "t") return session.togglePanel("summary");
    if (key.ctrl && input === "a") return session.togglePanel("attention");
    if (key.ctrl && input === "k") return session.toggleCache();
    if (key.ctrl && input === "n") return session.nextCache();
    if (key.ctrl && input === "l") return session.toggleLong();
    if (panel === "settings") return; // the panel reads its own keys, Esc included
    if (key.escape) {
      if (generation.busy()) session.stop();
      else if (panel !== "none") session.togglePanel(panel);
      else session.clearError();
      return;
    }
    if (key.return) return session.submit();
    if (key.tab) return session.complete();
    if (key.upArrow) return session.historyUp();
    if (key.downArrow) return session.historyDown();
    const edit = keyToEdit(input, key);
    if (edit) session.edit(edit);
  };
  useInput(
    (input, key) => {
      for (const [one, oneKey] of splitKeys(input, key)) onKey(one, oneKey);
    },
    { isActive: active },
  );
}
