// Per-token latency of the whole run as a row of block glyphs, with the top of the scale beside it: the
// 90th percentile of the latencies (this run's or the last one's, whichever is higher), said as "p90".
import { Text } from "ink";
import { formatMs } from "../lib/format.js";
import { sparkline } from "../lib/sparkline.js";

type Props = {
  readonly values: readonly number[];
  readonly width: number;
  /** Top of the scale, shared across runs so a cached run looks flat next to an uncached one. */
  readonly max: number;
};

export function Sparkline({ values, width, max }: Props) {
  if (values.length === 0) return <Text dimColor>{"▁".repeat(Math.min(width, 8))} no tokens yet</Text>;
  return (
    <Text>
      <Text color="magenta">{sparkline(values, { width, max })}</Text>
      <Text dimColor> top {formatMs(max)} (p90)</Text>
    </Text>
  );
}
