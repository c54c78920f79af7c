// The prompt line: the text with its cursor and, after the cursor, the rest of the vocabulary word
// being typed (Tab accepts it); under it, unknown words in red with the nearest known word.
// The keys are read in use-keys.ts and applied by line-editor.ts; this component only draws.
import { Box, Text } from "ink";
import { checkPrompt, completions, currentWord } from "../lib/completion.js";
import type { LineState } from "../lib/line-editor.js";

type Props = {
  readonly line: LineState;
  readonly focus: boolean;
  readonly error: string | null;
};

const PLACEHOLDER = 'type words, e.g. "the cat sat"';

function Hint({ value }: { readonly value: string }) {
  const checks = checkPrompt(value);
  const unknown = checks.filter((c) => c.status === "unknown");
  if (unknown.length > 0) {
    return (
      <Text>
        {checks.map((c, i) => (
          <Text key={i} color={c.status === "unknown" ? "red" : undefined} dimColor={c.status !== "unknown"} underline={c.status === "unknown"}>
            {c.word}{" "}
          </Text>
        ))}
        <Text color="red">{unknown.map((c) => `"${c.word}" is not a word, did you mean "${c.suggestion}"?`).join(" ")}</Text>
      </Text>
    );
  }
  const options = completions(value);
  if (options.length > 0 && options[0] !== currentWord(value).toLowerCase()) {
    return (
      <Text dimColor>
        Tab → <Text color="cyan">{options[0]}</Text>
        {options.length > 1 ? `   (also ${options.slice(1).join(", ")})` : ""}
      </Text>
    );
  }
  return <Text> </Text>;
}

/** The text with an inverse cell at the cursor; at the end the cell is the completion's first letter. */
function Line({ line, focus }: { readonly line: LineState; readonly focus: boolean }) {
  const { value, cursor } = line;
  if (!focus) return <Text dimColor>{value}</Text>;
  if (value === "") {
    return (
      <Text>
        <Text inverse>{PLACEHOLDER[0]}</Text>
        <Text dimColor>{PLACEHOLDER.slice(1)}</Text>
      </Text>
    );
  }
  const [first] = completions(value);
  const ghost = cursor === value.length && first !== undefined ? first.slice(currentWord(value).length) : "";
  const atCursor = value[cursor] ?? ghost[0] ?? " ";
  return (
    <Text>
      {value.slice(0, cursor)}
      <Text inverse>{atCursor}</Text>
      {cursor < value.length ? value.slice(cursor + 1) : <Text dimColor>{ghost.slice(1)}</Text>}
    </Text>
  );
}

export function PromptInput({ line, focus, error }: Props) {
  return (
    <Box flexDirection="column">
      <Box>
        <Text color={focus ? "green" : "gray"} bold>{"› "}</Text>
        <Line line={line} focus={focus} />
      </Box>
      <Hint value={line.value} />
      {error ? <Text color="red">{error}</Text> : null}
    </Box>
  );
}
