// The model summary as text, in the manner of torchinfo: one row per module (name, type, shapes,
// parameters), a subtotal row per block with its modules under it, then the total. Pure: returns strings.
import { configToJson, type ModelConfig, type ModelSummary, type SummaryGroup } from "@tinylm/model";

const count = (n: number): string => n.toLocaleString("en-US");
const shapes = (list: readonly (readonly number[])[]): string => list.map((s) => `[${s.join(", ")}]`).join(", ");

interface Line {
  readonly module: string;
  readonly type: string;
  readonly shapes: string;
  readonly params: string;
}

/** A group of one module is one line; a block is its subtotal line, then its modules as a tree. */
function groupLines(group: SummaryGroup): Line[] {
  const [only] = group.rows;
  if (group.rows.length === 1 && only !== undefined && only.name === group.name) {
    return [{ module: only.name, type: only.type, shapes: shapes(only.shapes), params: count(only.params) }];
  }
  const children = group.rows.map((row, i) => ({
    module: `${i === group.rows.length - 1 ? "└─" : "├─"} ${row.name.slice(group.name.length + 1)}`,
    type: row.type,
    shapes: shapes(row.shapes),
    params: count(row.params),
  }));
  const type = group.name.startsWith("blocks.") ? "Block" : "";
  return [{ module: group.name, type, shapes: "", params: count(group.params) }, ...children];
}

/** One line describing the config: "d_model 64, 3 blocks, 1 head, d_ff 128, context_length 32, learned positions". */
export function describeConfig(config: ModelConfig): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return [
    `vocab ${config.vocabSize}`, `d_model ${config.dModel}`, plural(config.nLayers, "block"), plural(config.nHeads, "head"),
    `d_ff ${config.dFF}`, `context_length ${config.contextLength}`, `${config.positional} positions`,
  ].join(", ");
}

/** The table: header, one line per module with block subtotals, the total and the size of the F32 weights. */
export function formatSummary(summary: ModelSummary, config: ModelConfig): string {
  const header: Line = { module: "Module", type: "Type", shapes: "Shapes", params: "Params" };
  const lines = [header, ...summary.groups.flatMap(groupLines)];
  const width = (key: keyof Line) => Math.max(...lines.map((l) => l[key].length));
  const [m, t, s, p] = [width("module"), width("type"), width("shapes"), Math.max(width("params"), count(summary.total).length)];
  const render = (l: Line) => `${l.module.padEnd(m)}   ${l.type.padEnd(t)}   ${l.shapes.padEnd(s)}   ${l.params.padStart(p)}`;
  const rule = "=".repeat(m + t + s + p + 9);
  const positions = config.positional === "sinusoidal" ? ["Positions: sinusoidal, computed (no parameters)"] : [];
  return [
    `tinylm: ${describeConfig(config)}`,
    rule,
    render(header),
    rule,
    ...lines.slice(1).map(render),
    rule,
    `Total params: ${count(summary.total)}`,
    `Params size (MB): ${((summary.total * 4) / 1e6).toFixed(2)} (float32)`,
    ...positions,
    rule,
  ].join("\n") + "\n";
}

/** The same data for scripts: snake_case config, groups with their rows, the total and the F32 byte size. */
export function summaryToJson(summary: ModelSummary, config: ModelConfig): Record<string, unknown> {
  return {
    config: configToJson(config),
    groups: summary.groups.map((g) => ({
      name: g.name,
      params: g.params,
      rows: g.rows.map((r) => ({ name: r.name, type: r.type, shapes: r.shapes, params: r.params })),
    })),
    total: summary.total,
    bytes: summary.total * 4,
  };
}
