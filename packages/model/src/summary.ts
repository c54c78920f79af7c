// summarize(config): parameters per layer, per block and in total (torchinfo's table as data; the apps print it).
import { sizeOf } from "@tinylm/tensor";
import type { ModelConfig } from "./config.js";
import { parameterSpecs } from "./weights.js";

export interface SummaryRow {
  /** Module name, e.g. "blocks.0.attn.q". */
  readonly name: string;
  /** "Embedding" | "Linear" | "LayerNorm". */
  readonly type: string;
  /** Shapes of the module's tensors: [[64, 64], [64]] for a Linear. */
  readonly shapes: readonly (readonly number[])[];
  readonly params: number;
}

export interface SummaryGroup {
  /** "tok_emb", "blocks.0", … */
  readonly name: string;
  readonly rows: readonly SummaryRow[];
  readonly params: number; // subtotal
}

export interface ModelSummary {
  readonly groups: readonly SummaryGroup[];
  readonly total: number; // 105,172 at the defaults
}

const moduleType = (name: string): string =>
  name.endsWith("_emb") ? "Embedding" : /(^|\.)ln(\d|_f)/.test(name) ? "LayerNorm" : "Linear";

/** Every module's parameter count, grouped by top-level layer (one group per block), and the total. */
export function summarize(config: ModelConfig): ModelSummary {
  const rows = new Map<string, { shapes: number[][]; params: number }>();
  for (const spec of parameterSpecs(config)) {
    const module = spec.name.slice(0, spec.name.lastIndexOf("."));
    const row = rows.get(module) ?? { shapes: [], params: 0 };
    row.shapes.push([...spec.shape]);
    row.params += sizeOf(spec.shape);
    rows.set(module, row);
  }
  const groups = new Map<string, SummaryRow[]>();
  for (const [name, row] of rows) {
    const group = name.startsWith("blocks.") ? name.split(".").slice(0, 2).join(".") : name;
    groups.set(group, [...(groups.get(group) ?? []), { name, type: moduleType(name), ...row }]);
  }
  const list = [...groups].map(([name, groupRows]) => ({ name, rows: groupRows, params: groupRows.reduce((n, r) => n + r.params, 0) }));
  return { groups: list, total: list.reduce((n, g) => n + g.params, 0) };
}
