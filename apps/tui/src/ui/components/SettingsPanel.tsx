// Every setting in one list: ↑/↓ choose a row, Enter edits it (a list for pick-one fields, a line for
// numbers and paths), Enter applies, Esc cancels or closes. Model settings rebuild the model.
// The panel's state as of the last key lives in a ref, ahead of React's copy, so keys that arrive in one
// chunk (↑↑↑ sent together, a paste, Backspace then a digit) are applied in order, as on the prompt line.
// With `rows`, the list shows a window of rows around the selection, so it fits a short terminal.
import { Box, type Key, Text, useInput } from "ink";
import { useRef, useState } from "react";
import { editLine, keyToEdit, type LineState, splitKeys } from "../lib/line-editor.js";
import { editText, type Field, type FieldKey, FIELDS, formatField, parseField, type Settings } from "../lib/settings.js";

type Props = {
  readonly settings: Settings;
  /** Applies one field; returns an error message, or null when applied. */
  readonly onApply: (key: FieldKey, value: Settings[FieldKey]) => string | null;
  readonly onClose: () => void;
  readonly onEditingChange: (editing: boolean) => void;
  readonly active: boolean; // raw mode available: only then may it listen to keys
  readonly columns: number;
  /** Lines the panel may take (default: as many as it needs). */
  readonly rows?: number;
  /** Where to put the panel's key handler when the app reads the keys (default: the panel listens itself). */
  readonly keyTarget?: { current: KeyHandler | null };
};

export type KeyHandler = (input: string, key: Key) => void;

type Editing =
  | { readonly field: Field; readonly choice: number } // a pick-one field: the highlighted choice
  | { readonly field: Field; readonly line: LineState }; // a typed field: the text being edited

interface PanelState {
  readonly row: number; // the selected field
  readonly editing: Editing | null;
  readonly error: string | null;
}

const CHROME = 4; // the border (2), the title and the blank line above the editor

/** The `count` rows of a list of `total` to show so that `selected` is visible, centred when it can be. */
export function visibleRange(selected: number, total: number, count: number): { start: number; end: number } {
  const n = Math.max(1, Math.min(total, count));
  const start = Math.max(0, Math.min(total - n, selected - Math.floor(n / 2)));
  return { start, end: start + n };
}

function Rows({ labels, selected, count }: { readonly labels: readonly string[]; readonly selected: number; readonly count: number }) {
  const { start, end } = visibleRange(selected, labels.length, count);
  return (
    <Box flexDirection="column">
      {labels.slice(start, end).map((label, i) =>
        start + i === selected ? (
          <Text key={label} color="blue">{`❯ ${label}`}</Text>
        ) : (
          <Text key={label}>{`  ${label}`}</Text>
        ),
      )}
    </Box>
  );
}

export function SettingsPanel({ settings, onApply, onClose, onEditingChange, active, columns, rows, keyTarget }: Props) {
  const initial: PanelState = { row: 0, editing: null, error: null };
  const [state, setState] = useState(initial);
  const now = useRef(initial); // the state as of the last key
  const update = (next: PanelState): void => {
    now.current = next;
    setState(next);
  };
  const labelWidth = columns < 60 ? 15 : 17;

  const open = (field: Field): void => {
    const editing: Editing = field.choices
      ? { field, choice: Math.max(0, field.choices.indexOf(String(settings[field.key]))) }
      : { field, line: { value: editText(settings, field.key), cursor: editText(settings, field.key).length } };
    update({ ...now.current, editing, error: null });
    onEditingChange(true);
  };
  const close = (): void => {
    update({ ...now.current, editing: null, error: null });
    onEditingChange(false);
  };
  const apply = (field: Field, text: string): void => {
    const parsed = parseField(field.key, text);
    const problem = "error" in parsed ? parsed.error : onApply(field.key, parsed.value);
    if (problem) update({ ...now.current, error: problem });
    else close();
  };

  const onKey = (input: string, key: Key): void => {
    const { row, editing } = now.current;
    const step = key.upArrow ? -1 : key.downArrow ? 1 : 0;
    if (editing === null) {
      if (key.escape) return onClose();
      if (step !== 0) return update({ ...now.current, row: (row + step + FIELDS.length) % FIELDS.length });
      if (key.return) return open(FIELDS[row]!);
      return;
    }
    if (key.escape) return close();
    if ("choice" in editing) {
      const choices = editing.field.choices ?? [];
      if (step !== 0) return update({ ...now.current, editing: { ...editing, choice: (editing.choice + step + choices.length) % choices.length } });
      if (key.return) return apply(editing.field, choices[editing.choice] ?? "");
      return;
    }
    if (key.return) return apply(editing.field, editing.line.value);
    const edit = keyToEdit(input, key);
    if (edit) update({ ...now.current, editing: { ...editing, line: editLine(editing.line, edit) } });
  };
  const onChunk: KeyHandler = (input, key) => {
    for (const [one, oneKey] of splitKeys(input, key)) onKey(one, oneKey);
  };
  if (keyTarget) keyTarget.current = onChunk; // set while drawing, so the first key after the panel shows reaches it
  useInput(onChunk, { isActive: active && keyTarget === undefined });

  const { row, editing, error } = state;
  const labels = FIELDS.map((f) => `${f.label.padEnd(labelWidth)}${formatField(settings, f.key)}`);
  // lines: the editor's heading wraps at the panel's inner width; a list editor is a window of its choices
  const inner = Math.max(10, Math.min(columns, 80) - 4);
  const heading = editing ? Math.ceil((editing.field.label.length + 2 + editing.field.help.length) / inner) : 0;
  const errorLines = error ? Math.ceil(error.length / inner) : 0;
  const budget = rows === undefined ? Infinity : rows - CHROME - heading - errorLines;
  const choiceRows = editing && "choice" in editing ? Math.min(editing.field.choices?.length ?? 0, Math.max(1, Math.floor(budget / 2))) : editing ? 1 : 0;
  const listRows = Math.max(1, budget - choiceRows);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="blue" paddingX={1} width={Math.min(columns, 80)}>
      <Text>
        <Text bold color="blue">Settings</Text>
        {listRows < FIELDS.length ? <Text dimColor>{`  ${row + 1}/${FIELDS.length}`}</Text> : null}
      </Text>
      <Rows labels={labels} selected={row} count={listRows} />
      {editing ? (
        <Box flexDirection="column" marginTop={1}>
          <Text>
            <Text bold>{editing.field.label}</Text>
            <Text dimColor>: {editing.field.help}</Text>
          </Text>
          {"choice" in editing ? (
            <Rows labels={editing.field.choices ?? []} selected={editing.choice} count={choiceRows} />
          ) : (
            <Text>
              <Text color="green">{"= "}</Text>
              {editing.line.value.slice(0, editing.line.cursor)}
              <Text inverse>{editing.line.value[editing.line.cursor] ?? " "}</Text>
              {editing.line.value.slice(editing.line.cursor + 1)}
            </Text>
          )}
        </Box>
      ) : null}
      {error ? <Text color="red">{error}</Text> : null}
    </Box>
  );
}
