// The live numbers: cache strategy and its memory, tokens generated, tokens per second (mean over the
// decode steps), time per token (mean of the last few), position / limit, and a sparkline of per-token
// latency (its scale named: a 90th percentile). Wraps onto more lines when narrow.
import type { CacheBytes } from "@tinylm/model";
import { Box, Text } from "ink";
import { formatBytes, formatCount, formatLimit, formatMs, formatRate } from "../lib/format.js";
import { RECENT, type Reuse, type Run, tokensPerSecond } from "../lib/run-record.js";
import { Sparkline } from "./Sparkline.js";
import { formatGrammar, grammarOf } from "../lib/grammar.js";

type Props = {
  readonly cache: string; // the strategy the next run uses
  readonly preview: { readonly bytes: CacheBytes; readonly limit: number } | null; // that strategy, empty
  readonly run: Run | null; // streaming now, or the last one
  readonly running: boolean;
  readonly sparkMax: number;
  readonly columns: number;
};

function memory(bytes: CacheBytes): string {
  if (bytes.used === bytes.allocated || bytes.used === 0) return formatBytes(bytes.allocated);
  return `${formatBytes(bytes.used)} of ${formatBytes(bytes.allocated)}`;
}

function Item({ label, value, color }: { readonly label: string; readonly value: string; readonly color?: string }) {
  return (
    <Box marginRight={2}>
      <Text>
        <Text dimColor>{label} </Text>
        <Text color={color} bold={color !== undefined}>{value}</Text>
      </Text>
    </Box>
  );
}

/** The checker's verdict on the run's words: "grammar ok (100%)", or the first word that breaks it, in red. */
function GrammarItem({ run }: { readonly run: Run }) {
  const g = grammarOf(run.prompt, run.words);
  return <Item label="grammar" value={formatGrammar(run.words, g)} color={g.firstError === null ? undefined : "red"} />;
}

export function StatusBar({ cache, preview, run, running, sparkMax, columns }: Props) {
  const stats = run?.stats;
  const sameCache = stats !== undefined && stats.cache === cache;
  const bytes = sameCache ? stats.cacheBytes : preview?.bytes;
  const limit = sameCache ? stats.limit : (preview?.limit ?? NaN);
  const reuse: Reuse | undefined = run !== null && "reuse" in run ? (run.reuse as Reuse | undefined) : undefined;
  return (
    <Box flexDirection="column" width={columns}>
      <Box flexDirection="row" flexWrap="wrap">
        <Item label="cache" value={cache} color={running ? "yellow" : "green"} />
        <Item label="mem" value={bytes ? memory(bytes) : "–"} />
        {stats && !sameCache ? <Item label="last run" value={stats.cache} /> : null}
        <Item label="tokens" value={stats ? formatCount(stats.count) : "0"} />
        <Item label="tok/s (mean)" value={stats ? formatRate(tokensPerSecond(stats)) : "–"} />
        <Item label={`per token (last ${RECENT})`} value={stats ? formatMs(stats.recentMs) : "–"} />
        <Item label="pos" value={`${stats ? formatCount(stats.position) : 0}/${formatLimit(limit)}`} />
        {run ? <GrammarItem run={run} /> : null}
      </Box>
      {reuse && !running ? (
        <Box flexDirection="row" flexWrap="wrap">
          <Item label="reused" value={`${formatCount(reuse.reused)} of ${formatCount(reuse.positions)} positions`} />
          <Item label="first token" value={`${formatMs(reuse.firstTokenMs)} (${formatMs(reuse.firstTokenMsWithoutReuse)} without reuse)`} />
        </Box>
      ) : null}
      <Box>
        <Text dimColor>latency </Text>
        <Sparkline values={stats?.latencies ?? []} width={Math.max(10, Math.min(60, columns - 20))} max={sparkMax} />
      </Box>
    </Box>
  );
}
