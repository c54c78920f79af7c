// Which earlier words the last token looked at: one row of shaded cells per layer under the words
// (░ the row's smallest weight … █ its largest, range printed beside it; heads averaged; · evicted).
import { Box, Text } from "ink";
import { type AttentionSnapshot, layoutAttention } from "../lib/attention.js";

type Props = {
  readonly snapshot: AttentionSnapshot | null;
  readonly tokens: readonly string[]; // the whole sequence, prompt then generated words
  readonly nHeads: number;
  readonly columns: number;
};

const LABEL = 4; // "L0  "
const TOP = 24; // "  0.043–0.051 → house"

/** Two significant digits: over 300 keys the weights are near 1/300, and 0.0031 must not read as 0.003. */
const weight = (w: number): string => w.toPrecision(2);

export function AttentionView({ snapshot, tokens, nHeads, columns }: Props) {
  const width = Math.min(columns, 100) - 4; // border and padding
  if (!snapshot || tokens.length === 0) {
    return (
      <Box borderStyle="round" borderColor="blue" paddingX={1} width={width + 4}>
        <Text dimColor wrap="wrap">
          Attention: with this view open, press Enter to generate; it then shows what the last token looked at.
          Runs record the weights only while it is open: recording takes the model's slower reference path.
        </Text>
      </Box>
    );
  }
  const layout = layoutAttention(snapshot, tokens, Math.max(8, width - LABEL - TOP));
  const query = tokens[snapshot.queryPosition] ?? "?";
  const next = tokens[snapshot.queryPosition + 1];
  const pad = layout.truncated ? "…" : " ";
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="blue" paddingX={1} width={width + 4}>
      <Text wrap="wrap">
        <Text bold color="blue">Attention</Text>
        <Text dimColor> of </Text>
        <Text bold>"{query}"</Text>
        <Text dimColor> (position {snapshot.queryPosition}){next ? ` predicting "${next}"` : ""}{nHeads > 1 ? `, mean of ${nHeads} heads` : ""}</Text>
      </Text>
      <Text>
        {" ".repeat(LABEL)}
        {pad}
        {layout.words.join(" ")}
      </Text>
      {layout.rows.map((row, layer) => (
        <Text key={layer}>
          <Text dimColor>{`L${layer}`.padEnd(LABEL)}</Text>
          {pad}
          <Text color="cyan">{row.cells.join(" ")}</Text>
          <Text dimColor>{`  ${weight(row.low)}–${weight(row.high)} → ${row.top}`}</Text>
        </Text>
      ))}
    </Box>
  );
}
