// The app's key bindings, and the prompt line's editing keys (line-editor.ts). While the settings panel
// is open, keys other than the Ctrl commands go to it. One listener for every key, subscribed once: a
// component that subscribed when it mounted would miss keys sent right after it appeared.
// Ctrl+C stops a running generation and quits when nothing runs.
import { type Key, useApp, useInput } from "ink";
import { keyToEdit, splitKeys } from "../lib/line-editor.js";
import type { Session } from "./use-session.js";

export function useKeys(session: Session, active: boolean): void {
  const { exit } = useApp();
  const onKey = (input: string, key: Key): void => {
    const { generation } = session;
    const panel = session.panelNow();
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
    if (session.panelNow() === "settings") return session.settingsKeys.current?.(input, key); // Esc included
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
