// Finished generations in <Static> (printed once, above everything else) and the one streaming now.
import { VOCAB } from "@tinylm/model";
import { Box, Static, Text } from "ink";
import { formatCount, formatMs, formatRate } from "../lib/format.js";
import { type FinishedRun, type Run, tokensPerSecond } from "../lib/run-record.js";
import { LONG_RUN } from "../lib/settings.js";
import { grammarOf } from "../lib/grammar.js";
import { GrammarWords } from "./GrammarWords.js";

export type TranscriptItem =
  | { readonly id: string; readonly kind: "welcome" }
  | { readonly id: string; readonly kind: "run"; readonly run: FinishedRun }
  | { readonly id: string; readonly kind: "note"; readonly text: string };

function Welcome() {
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>
        <Text bold color="green">tinylm</Text>
        <Text> · a 3-block transformer that knows 20 words: </Text>
        <Text color="cyan">{VOCAB.join(" ")}</Text>
      </Text>
      <Text dimColor>
        Type a prompt such as "the cat sat" (Tab completes a word) and press Enter. To see what the KV cache buys:
        ^L for a long context ({formatCount(LONG_RUN.contextLength)} positions, {LONG_RUN.maxNewTokens} tokens), Enter, then ^K
        (cache off: none) and ↑ Enter, and compare tok/s and the latency line. ^O opens every setting.
      </Text>
    </Box>
  );
}

/** The prompt in bold and the generated words in colour (the first ungrammatical one marked), wrapped to the terminal. */
function Words({ prompt, words }: { readonly prompt: readonly string[]; readonly words: readonly string[] }) {
  return (
    <Text>
      <Text color="green">› </Text>
      <Text bold>{prompt.join(" ")}</Text>
      <GrammarWords words={words} firstError={grammarOf(prompt, words).firstError} />
    </Text>
  );
}

function RunEntry({ run }: { readonly run: FinishedRun }) {
  const { stats } = run;
  // two statistics of the decode steps, each named: the median step time, and the mean rate (steps / their total time)
  const facts = [
    stats.cache,
    `${formatCount(stats.count)} tokens`,
    `median ${formatMs(run.msPerToken)}/token`,
    `mean ${formatRate(tokensPerSecond(stats))} tok/s`,
    ...(run.sampling !== undefined && run.sampling !== "greedy" ? [run.sampling] : []),
  ].join(" · ");
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Words prompt={run.prompt} words={run.words} />
      <Text>
        <Text dimColor>  {facts} · </Text>
        <Text color={run.stopReason === "aborted" ? "yellow" : undefined} dimColor={run.stopReason !== "aborted"}>
          {run.stopMessage}
        </Text>
      </Text>
    </Box>
  );
}

export function Transcript({ items }: { readonly items: readonly TranscriptItem[] }) {
  return (
    <Static items={[...items]}>
      {(item) =>
        item.kind === "welcome" ? (
          <Welcome key={item.id} />
        ) : item.kind === "run" ? (
          <RunEntry key={item.id} run={item.run} />
        ) : (
          <Text key={item.id} dimColor>
            {item.text}
          </Text>
        )
      }
    </Static>
  );
}

/** The generation streaming now; only its tail, so a long run never outgrows the screen. */
export function LiveRun({ run, columns }: { readonly run: Run; readonly columns: number }) {
  const budget = columns * 4;
  const shown: string[] = [];
  let used = run.prompt.join(" ").length + 2;
  for (let i = run.words.length - 1; i >= 0 && used + run.words[i]!.length + 1 <= budget; i--) {
    shown.unshift(run.words[i]!);
    used += run.words[i]!.length + 1;
  }
  const hidden = run.words.length - shown.length;
  const { firstError } = grammarOf(run.prompt, run.words);
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>
        <Text color="green">› </Text>
        <Text bold>{run.prompt.join(" ")}</Text>
        {hidden > 0 ? <Text dimColor> …{formatCount(hidden)} more…</Text> : null}
        <GrammarWords words={shown} firstError={firstError === null || firstError < hidden ? null : firstError - hidden} />
        <Text color="yellow"> ▍</Text>
      </Text>
    </Box>
  );
}
