// The UI's state and actions in one place, so App.tsx only lays things out: settings, the model,
// the prompt line, the transcript, the open panel, and generation.
import { CACHE_KINDS, type CacheBytes, type TinyLM } from "@tinylm/model";
import { useCallback, useMemo, useRef, useState } from "react";
import type { KeyHandler } from "../components/SettingsPanel.js";
import type { TranscriptItem } from "../components/Transcript.js";
import { promptProblem } from "../lib/completion.js";
import { formatCount } from "../lib/format.js";
import type { LineEdit, LineState } from "../lib/line-editor.js";
import type { ModelFactory } from "../lib/model-factory.js";
import type { FinishedRun } from "../lib/run-record.js";
import { type FieldKey, LONG_RUN, MODEL_KEYS, type ModelSettings, type RunSettings, type Settings } from "../lib/settings.js";
import { scaleTop } from "../lib/sparkline.js";
import { type Generation, makeRunCache, positionLimit, useGeneration } from "./use-generation.js";
import { useModel } from "./use-model.js";
import { usePromptLine } from "./use-prompt-line.js";

export type Panel = "none" | "settings" | "summary" | "attention";

export interface Session {
  readonly model: TinyLM;
  readonly settings: Settings;
  readonly generation: Generation;
  readonly transcript: readonly TranscriptItem[];
  readonly line: LineState; // the prompt line
  readonly error: string | null; // why the last Enter did not generate
  readonly panel: Panel;
  /** The open panel as of the last key (a key may follow ^O before React re-renders). */
  panelNow(): Panel;
  /** Where keys go while the settings panel is open; the panel sets it when it draws. */
  readonly settingsKeys: { current: KeyHandler | null };
  readonly editing: boolean; // a settings field is being edited
  readonly preview: { readonly bytes: CacheBytes; readonly limit: number } | null; // the selected cache, empty
  readonly sparkMax: number;
  edit(edit: LineEdit): void;
  /** Generates from the prompt line, or says why it cannot. With sampling on, each run takes the next seed. */
  submit(): void;
  /** Esc / Ctrl+C while a generation runs: stops it. */
  stop(): void;
  complete(): void;
  historyUp(): void;
  historyDown(): void;
  togglePanel(panel: Panel): void;
  setEditing(editing: boolean): void;
  /** Cache on/off: none ↔ the last strategy other than none (full at first). */
  toggleCache(): void;
  /** The next strategy of CACHE_KINDS. */
  nextCache(): void;
  /** Ctrl+L: the long-context preset (LONG_RUN) and back to the starting context and token budget. */
  toggleLong(): void;
  applySetting(key: FieldKey, value: Settings[FieldKey]): string | null;
  clearError(): void;
}

const RUNNING = "a generation is running; press Esc to stop it first";

function describeModel(s: ModelSettings): string {
  const source = s.weightsPath === null ? `seed ${s.seed}` : `"${s.weightsPath}"`;
  return `model rebuilt (${source}): context ${formatCount(s.contextLength)} · ${s.positional} positions · ${s.nHeads} head${s.nHeads > 1 ? "s" : ""}`;
}

export function useSession(initial: { readonly model: TinyLM; readonly settings: Settings }, build: ModelFactory): Session {
  const models = useModel(initial, build);
  const [run, setRun] = useState<RunSettings>(initial.settings);
  const settings: Settings = { ...run, ...models.settings };
  const [transcript, setTranscript] = useState<readonly TranscriptItem[]>([{ id: "welcome", kind: "welcome" }]);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>("none");
  const panelRef = useRef<Panel>("none");
  const settingsKeys = useRef<KeyHandler | null>(null);
  const [editing, setEditing] = useState(false);
  const [previousTop, setPreviousTop] = useState(0);
  const prompt = usePromptLine();
  const noteId = useRef(0);
  const lastCache = useRef(initial.settings.cache === "none" ? "full" : initial.settings.cache);
  // the run settings as of the last key (a key may follow another before React re-renders)
  const runNow = useRef(run);
  const updateRun = (patch: Partial<RunSettings>): void => {
    runNow.current = { ...runNow.current, ...patch };
    setRun(runNow.current);
  };

  const append = useCallback((item: TranscriptItem) => setTranscript((list) => [...list, item]), []);
  const onFinish = useCallback(
    (done: FinishedRun) => {
      append({ id: `run-${done.id}`, kind: "run", run: done });
      setPreviousTop(scaleTop(done.stats.latencies));
      setError((e) => (e === RUNNING ? null : e));
    },
    [append],
  );
  const generation = useGeneration(models.model, onFinish);

  const preview = useMemo(() => {
    try {
      const cache = makeRunCache(models.model, run);
      return { bytes: cache.bytes(), limit: positionLimit(models.model, cache) };
    } catch {
      return null;
    }
  }, [models.model, run]);

  // ---- actions ----

  const submit = (): void => {
    const text = prompt.text();
    if (generation.busy()) {
      setError(RUNNING);
      return;
    }
    const problem = promptProblem(text);
    if (problem) {
      setError(problem);
      return;
    }
    prompt.submitted(text);
    const settings = runNow.current;
    generation.start(text, settings, panel === "attention");
    if (settings.sampling !== "greedy") updateRun({ samplingSeed: (settings.samplingSeed + 1) % 2 ** 32 });
  };

  const applySetting = (key: FieldKey, value: Settings[FieldKey]): string | null => {
    if ((MODEL_KEYS as readonly string[]).includes(key)) {
      if (generation.running) return "settings: stop the running generation (Esc) before rebuilding the model";
      const result = models.update({ [key]: value } as Partial<ModelSettings>);
      if ("error" in result) return result.error;
      append({ id: `note-${noteId.current++}`, kind: "note", text: describeModel(result.settings) });
      return null;
    }
    updateRun({ [key]: value });
    return null;
  };

  return {
    model: models.model,
    settings,
    generation,
    transcript,
    line: prompt.line,
    error: error ?? generation.error,
    panel,
    panelNow: () => panelRef.current,
    settingsKeys,
    editing,
    preview,
    sparkMax: Math.max(previousTop, scaleTop(generation.run?.stats.latencies ?? [])),
    edit: (change) => {
      prompt.edit(change);
      setError(null);
    },
    submit,
    stop: () => {
      setError((e) => (e === RUNNING ? null : e));
      generation.stop();
    },
    complete: prompt.complete,
    historyUp: prompt.older,
    historyDown: prompt.newer,
    togglePanel: (next) => {
      panelRef.current = panelRef.current === next ? "none" : next;
      settingsKeys.current = null; // until the panel that opens draws
      setPanel(panelRef.current);
      setEditing(false);
    },
    setEditing,
    toggleCache: () => {
      const kind = runNow.current.cache;
      if (kind !== "none") lastCache.current = kind;
      updateRun({ cache: kind === "none" ? lastCache.current : "none" });
    },
    nextCache: () => {
      const kinds: readonly string[] = CACHE_KINDS;
      updateRun({ cache: kinds[(kinds.indexOf(runNow.current.cache) + 1) % kinds.length] ?? "full" });
    },
    applySetting,
    toggleLong: () => {
      // the trained models: ^L swaps the exercise model (context 32) for the long-context one and back
      const swap = models.settings.weightsPath === "exercise" ? "long" : models.settings.weightsPath === "long" ? "exercise" : null;
      if (swap !== null) {
        const problem = applySetting("weightsPath", swap);
        if (problem) setError(problem);
        else updateRun({ maxNewTokens: swap === "long" ? LONG_RUN.maxNewTokens : 20 });
        return;
      }
      const start = initial.settings.contextLength === LONG_RUN.contextLength ? { contextLength: 32, maxNewTokens: 20 } : initial.settings;
      const target = models.settings.contextLength === LONG_RUN.contextLength ? start : LONG_RUN;
      const problem = applySetting("contextLength", target.contextLength);
      if (problem) setError(problem);
      else updateRun({ maxNewTokens: target.maxNewTokens });
    },
    clearError: () => {
      setError(null);
      generation.clearError();
    },
  };
}
