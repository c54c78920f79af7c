// Every setting in one list (ink-select-input): Enter on a row edits it, with a second list for
// pick-one fields and a text input for numbers and paths. Model settings rebuild the model.
import { Box, Text, useInput } from "ink";
import SelectInput from "ink-select-input";
import TextInput from "ink-text-input";
import { useState } from "react";
import { editText, type Field, type FieldKey, FIELDS, formatField, parseField, type Settings } from "../lib/settings.js";

type Props = {
  readonly settings: Settings;
  /** Applies one field; returns an error message, or null when applied. */
  readonly onApply: (key: FieldKey, value: Settings[FieldKey]) => string | null;
  readonly onClose: () => void;
  readonly onEditingChange: (editing: boolean) => void;
  readonly active: boolean; // raw mode available: only then may inputs listen
  readonly columns: number;
};

function Editor({ field, settings, apply, active }: {
  readonly field: Field;
  readonly settings: Settings;
  readonly apply: (text: string) => void;
  readonly active: boolean;
}) {
  const [draft, setDraft] = useState(editText(settings, field.key));
  if (field.choices) {
    const items = field.choices.map((c) => ({ label: c, value: c }));
    const initialIndex = Math.max(0, field.choices.indexOf(String(settings[field.key])));
    return <SelectInput items={items} initialIndex={initialIndex} isFocused={active} onSelect={(item) => apply(item.value)} />;
  }
  return (
    <Box>
      <Text color="green">{"= "}</Text>
      <TextInput value={draft} onChange={setDraft} onSubmit={apply} focus={active} />
    </Box>
  );
}

export function SettingsPanel({ settings, onApply, onClose, onEditingChange, active, columns }: Props) {
  const [editing, setEditing] = useState<Field | null>(null);
  const [error, setError] = useState<string | null>(null);
  const labelWidth = columns < 60 ? 15 : 17;

  const edit = (field: Field | null): void => {
    setEditing(field);
    setError(null);
    onEditingChange(field !== null);
  };

  useInput(
    (_input, key) => {
      if (!key.escape) return;
      if (editing) edit(null);
      else onClose();
    },
    { isActive: active },
  );

  const apply = (text: string): void => {
    if (!editing) return;
    const parsed = parseField(editing.key, text);
    const problem = "error" in parsed ? parsed.error : onApply(editing.key, parsed.value);
    if (problem) setError(problem);
    else edit(null);
  };

  const items = FIELDS.map((f) => ({ label: `${f.label.padEnd(labelWidth)}${formatField(settings, f.key)}`, value: f.key }));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="blue" paddingX={1} width={Math.min(columns, 80)}>
      <Text bold color="blue">Settings</Text>
      <SelectInput
        items={items}
        isFocused={active && editing === null}
        onSelect={(item) => edit(FIELDS.find((f) => f.key === item.value) ?? null)}
      />
      {editing ? (
        <Box flexDirection="column" marginTop={1}>
          <Text>
            <Text bold>{editing.label}</Text>
            <Text dimColor>: {editing.help}</Text>
          </Text>
          <Editor key={editing.key} field={editing} settings={settings} apply={apply} active={active} />
        </Box>
      ) : null}
      {error ? <Text color="red">{error}</Text> : null}
    </Box>
  );
}
