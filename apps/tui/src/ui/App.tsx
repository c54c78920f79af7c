// Layout only: the transcript on top, then the streaming run, an optional panel (settings, summary,
// attention), the prompt, the status bar and the help line. State lives in useSession.
import type { TinyLM } from "@tinylm/model";
import { Box, useStdin } from "ink";
import { AttentionView } from "./components/AttentionView.js";
import { HelpLine } from "./components/HelpLine.js";
import { PromptInput } from "./components/PromptInput.js";
import { SettingsPanel } from "./components/SettingsPanel.js";
import { StatusBar } from "./components/StatusBar.js";
import { SummaryView } from "./components/SummaryView.js";
import { LiveRun, Transcript } from "./components/Transcript.js";
import { useColumns } from "./hooks/use-columns.js";
import { useKeys } from "./hooks/use-keys.js";
import { useRedrawOnResize } from "./hooks/use-redraw-on-resize.js";
import { useRows } from "./hooks/use-rows.js";
import { useSession } from "./hooks/use-session.js";
import { buildModel, type ModelFactory } from "./lib/model-factory.js";
import type { Settings } from "./lib/settings.js";

export type AppProps = {
  readonly model: TinyLM;
  readonly settings: Settings; // what `model` was built from, plus the run settings
  readonly buildModel?: ModelFactory; // rebuilds after a model setting changes
  readonly columns?: number; // fixes the width (tests); default: the terminal's, following resizes
  readonly rows?: number; // fixes the height (tests); default: the terminal's, following resizes
};

/**
 * Lines the settings panel may take in a terminal of `rows`: what the prompt, the status bar and the help
 * line below it need (estimated from their text at this width) are kept, and one more, so the frame stays
 * shorter than the terminal (a taller frame scrolls, and Ink can no longer erase what scrolled away).
 */
export function panelRows(rows: number | undefined, columns: number, error: string | null): number | undefined {
  if (rows === undefined) return undefined;
  const lines = (chars: number): number => Math.ceil(chars / Math.max(1, columns));
  const prompt = 2 + (error ? lines(error.length) : 0);
  const status = lines(100) + 1; // the numbers, wrapped, then the latency line
  const help = lines(45);
  return Math.max(5, rows - prompt - status - help - 1);
}

export function App({ model, settings, buildModel: build = buildModel, columns: fixedColumns, rows: fixedRows }: AppProps) {
  const session = useSession({ model, settings }, build);
  const columns = useColumns(fixedColumns);
  const rows = useRows(fixedRows);
  const epoch = useRedrawOnResize();
  const { isRawModeSupported } = useStdin();
  const interactive = isRawModeSupported === true;
  useKeys(session, interactive);
  const { generation, panel } = session;
  const run = generation.run;
  const tokens = run ? [...(run.context ?? []), ...run.prompt, ...run.words] : [];
  const source = session.settings.weightsPath ?? `seeded weights (seed ${session.settings.seed})`;
  const helpMode = panel === "settings" ? (session.editing ? "editing" : "settings") : generation.running ? "running" : "prompt";
  return (
    <Box flexDirection="column" width={columns}>
      <Transcript key={epoch} items={session.transcript} />
      {generation.running && run ? <LiveRun run={run} columns={columns} /> : null}
      {panel === "summary" ? <SummaryView config={session.model.config} source={source} columns={columns} /> : null}
      {panel === "attention" ? (
        <AttentionView snapshot={generation.attention} tokens={tokens} nHeads={session.model.config.nHeads} columns={columns} />
      ) : null}
      {panel === "settings" ? (
        <SettingsPanel
          settings={session.settings}
          onApply={session.applySetting}
          onClose={() => session.togglePanel("settings")}
          onEditingChange={session.setEditing}
          active={interactive}
          columns={columns}
          rows={panelRows(rows, columns, session.error)}
          keyTarget={session.settingsKeys}
        />
      ) : null}
      <PromptInput line={session.line} focus={interactive && panel !== "settings"} error={session.error} />
      <StatusBar
        cache={session.settings.cache}
        preview={session.preview}
        run={run}
        running={generation.running}
        sparkMax={session.sparkMax}
        columns={columns}
      />
      <HelpLine mode={helpMode} columns={columns} />
    </Box>
  );
}
