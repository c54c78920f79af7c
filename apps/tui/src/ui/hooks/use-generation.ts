// Runs generate() for the UI. Tokens arrive on the model's loop (which yields to the event loop every
// ~15 ms); they are collected off React and flushed to state at most every FLUSH_MS, so a fast cache
// streaming thousands of tokens a second does not re-render per token. Esc / Ctrl+C abort through an
// AbortController; the tokens produced so far are kept.
import { createCache, generate, words as splitWords, type KVCache, type TinyLM } from "@tinylm/model";
import { useCallback, useEffect, useRef, useState } from "react";
import { AttentionRecorder, type AttentionSnapshot } from "../lib/attention.js";
import { type FinishedRun, type Run, RunRecorder } from "../lib/run-record.js";
import { cacheOptions, samplingOptions, type RunSettings } from "../lib/settings.js";

export const FLUSH_MS = 30;

export interface Generation {
  readonly running: boolean;
  /** The run streaming now, or the last one to finish. */
  readonly run: Run | null;
  readonly attention: AttentionSnapshot | null;
  readonly error: string | null;
  /**
   * Starts a run unless one is running; errors (a bad cache option, a prompt too long) land in `error`.
   * With `recordAttention` the model reports every step's attention weights (its reference path, slower
   * than the fused kernels): the UI asks for it only while the attention view is open, so the speed shown
   * otherwise is the engine's.
   */
  start(prompt: string, settings: RunSettings, recordAttention?: boolean): void;
  stop(): void;
  clearError(): void;
}

/** The cache a run would use; throws the library's ConfigError for a bad strategy or option. */
export function makeRunCache(model: TinyLM, settings: RunSettings): KVCache {
  return createCache(settings.cache, model.config, cacheOptions(settings));
}

/** Positions a run can reach: the rule of generate() (learned positions end at context_length). */
export function positionLimit(model: TinyLM, cache: KVCache): number {
  const { contextLength, positional } = model.config;
  return Math.min(cache.positionLimit, positional === "learned" ? contextLength : Infinity);
}

export function useGeneration(model: TinyLM, onFinish: (run: FinishedRun) => void): Generation {
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<Run | null>(null);
  const [attention, setAttention] = useState<AttentionSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const finish = useRef(onFinish);
  finish.current = onFinish;

  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback(
    (prompt: string, settings: RunSettings, recordAttention = false) => {
      if (controller.current) return;
      let cache: KVCache;
      try {
        cache = makeRunCache(model, settings);
      } catch (e) {
        setError((e as Error).message);
        return;
      }
      const abort = new AbortController();
      controller.current = abort;
      const promptWords = splitWords(prompt).map((w) => w.toLowerCase());
      const recorder = new RunRecorder(nextId.current++, promptWords, cache.kind, positionLimit(model, cache), cache.bytes());
      const attend = new AttentionRecorder(model.config.nHeads);
      const flush = (): void => {
        setRun(recorder.snapshot());
        setAttention(attend.snapshot());
      };
      const timer = setInterval(flush, FLUSH_MS);
      setError(null);
      setRunning(true);
      flush();
      const options = { cache, maxNewTokens: settings.maxNewTokens, sampling: samplingOptions(settings), signal: abort.signal };
      generate(model, prompt, { ...options, onToken: recorder.onToken, ...(recordAttention ? { onAttention: attend.observe } : {}) })
        .then((result) => {
          const done = recorder.finish(result);
          setRun(done);
          setAttention(attend.snapshot());
          finish.current(done);
        })
        .catch((e: unknown) => {
          setRun(null);
          setError((e as Error).message);
        })
        .finally(() => {
          clearInterval(timer);
          controller.current = null;
          setRunning(false);
        });
    },
    [model],
  );

  const stop = useCallback(() => controller.current?.abort(), []);
  const clearError = useCallback(() => setError(null), []);

  return { running, run, attention, error, start, stop, clearError };
}
