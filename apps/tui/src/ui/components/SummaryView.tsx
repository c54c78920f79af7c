// The model summary: parameters per module and in total (105,172 at the defaults), with the first
// block in full and the identical blocks after it on one line each, so the table fits a terminal (the
// `tinylm summary` table, every block expanded, is 38 lines: taller than the UI's panel should be).
import { summarize, type ModelConfig, type SummaryRow } from "@tinylm/model";
import { Box, Text } from "ink";
import { formatCount } from "../lib/format.js";

type Props = { readonly config: ModelConfig; readonly source: string; readonly columns: number };

const shapeText = (row: SummaryRow): string => row.shapes.map((s) => s.join("×")).join(" + ");

function Row({ name, type, shape, params, narrow, bold, dim }: {
  readonly name: string;
  readonly type: string;
  readonly shape: string;
  readonly params: string;
  readonly narrow: boolean;
  readonly bold?: boolean;
  readonly dim?: boolean;
}) {
  return (
    <Box>
      <Box width={narrow ? 16 : 20}><Text bold={bold} dimColor={dim} wrap="truncate">{name}</Text></Box>
      {narrow ? null : <Box width={11}><Text dimColor>{type}</Text></Box>}
      {narrow ? null : <Box width={18}><Text dimColor={dim} wrap="truncate">{shape}</Text></Box>}
      <Box width={10} justifyContent="flex-end"><Text bold={bold}>{params}</Text></Box>
    </Box>
  );
}

export function SummaryView({ config, source, columns }: Props) {
  const summary = summarize(config);
  const narrow = columns < 60;
  const firstBlock = summary.groups.find((g) => g.name.startsWith("blocks."));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="blue" paddingX={1} width={Math.min(columns, 66)}>
      <Text bold color="blue">Model summary</Text>
      <Text dimColor wrap="wrap">
        {source} · d_model {config.dModel} · {config.nLayers} blocks · {config.nHeads} head{config.nHeads > 1 ? "s" : ""} · d_ff {config.dFF} ·
        context {formatCount(config.contextLength)} · {config.positional} positions · vocab {config.vocabSize}
      </Text>
      <Row name="module" type="type" shape="shape" params="params" narrow={narrow} bold />
      {summary.groups.map((group) => {
        const isBlock = group.name.startsWith("blocks.");
        if (!isBlock) {
          const row = group.rows[0]!;
          return <Row key={group.name} name={group.name} type={row.type} shape={shapeText(row)} params={formatCount(group.params)} narrow={narrow} />;
        }
        const expand = group === firstBlock;
        return (
          <Box key={group.name} flexDirection="column">
            <Row name={group.name} type="Block" shape={expand ? "" : `same as ${firstBlock?.name}`} params={formatCount(group.params)} narrow={narrow} />
            {expand
              ? group.rows.map((row) => (
                  <Row key={row.name} name={`  ${row.name.slice(group.name.length + 1)}`} type={row.type} shape={shapeText(row)} params={formatCount(row.params)} narrow={narrow} dim />
                ))
              : null}
          </Box>
        );
      })}
      <Row name="total" type="" shape="" params={formatCount(summary.total)} narrow={narrow} bold />
      <Text dimColor>params size {((summary.total * 4) / 1e6).toFixed(2)} MB (float32) · the full table: tinylm summary</Text>
    </Box>
  );
}
