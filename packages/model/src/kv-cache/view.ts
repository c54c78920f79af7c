// A cache's view as [S, d] rows whatever its layout: what an attention observer and the tests read. The
// blocks are gathered and the int8 rows dequantized into new matrices (attention itself never does this).
import { dequantizeKeys, dequantizeValues, gatherBlocks } from "@tinylm/tensor";
import type { KVRows, KVView } from "./types.js";

/** Positions 0 .. n - 1. */
const upTo = (n: number): Int32Array => Int32Array.from({ length: n }, (_, j) => j);

/** The view's rows: as they are for a rows view, gathered or dequantized for the others. */
export function viewRows(view: KVView): KVRows {
  if (!("layout" in view)) return view;
  const S = view.length;
  if (view.layout === "blocks") return { ...gatherBlocks(view.table, S), positions: upTo(S) };
  const d = view.width;
  return { keys: dequantizeKeys(view.keys, S, d), values: dequantizeValues(view.values, S, d), positions: upTo(S) };
}

/** S: how many keys the view holds. */
export function viewLength(view: KVView): number {
  return "layout" in view ? view.length : view.keys.shape[0]!;
}
