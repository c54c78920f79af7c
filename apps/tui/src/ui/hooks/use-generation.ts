// Runs generate() for the UI. Tokens arrive on the model's loop (which yields to the event loop every
// ~15 ms); they are collected off React and flushed to state at most every FLUSH_MS, so a fast cache
// streaming thousands of tokens a second does not re-render per token. Esc / Ctrl+C abort through an
// AbortController; the tokens produced so far are kept.
import { ContextError, createCache, encode, VOCAB, generate, generateSync, PrefixCache, words as splitWords, type KVCache, type TinyLM } from "@tinylm/model";
import { useCallback, useEffect, useRef, useState } from "react";
import { AttentionRecorder, type AttentionSnapshot } from "../lib/attention.js";
import { type FinishedRun, type Run, RunRecorder } from "../lib/run-record.js";
import { formatCount } from "../lib/format.js";
import { cacheOptions, describeSampling, LONG_RUN, samplingOptions, type RunSettings } from "../lib/settings.js";

export const FLUSH_MS = 30;

export interface Generation {
  readonly running: boolean;
  /** The run streaming now, or the last one to finish; null after the model is rebuilt (its numbers belong to the old model). */
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
  /** A run is going on now; unlike `running`, true from the moment start() returns (keys may come before a render). */
  busy(): boolean;
}

/** The cache a run would use; throws the library's ConfigError for a bad strategy or option. */
export function makeRunCache(model: TinyLM, settings: RunSettings): KVCache {
  return createCache(settings.cache, model.config, cacheOptions(settings));
}

/**
 * A ContextError in the UI's words: the library's message names the CLI's --context-length, the UI
 * has a setting for it.
 */
export function contextProblem(e: ContextError, model: TinyLM, cache: string): string {
  const C = model.config.contextLength;
  return `the prompt has ${e.position} tokens, more than the ${e.limit} that fit (context length ${C}, cache "${cache}"); shorten it, or raise "context length" in the settings (^O, or ^L for ${formatCount(LONG_RUN.contextLength)})`;
}

/**
 * The conversation Enter continues: its cache (kept between runs, so a run computes only the new line's
 * positions), a second empty cache of the same strategy to time the turn without reuse, and the transcript's
 * ids. A new model or other cache settings start a new one.
 */
interface Conversation {
  readonly model: TinyLM;
  readonly key: string;
  readonly cache: PrefixCache;
  readonly alone: KVCache;
  transcript: number[];
}

/** Positions a run can reach: the rule of generate() (learned positions end at context_length). */
export function positionLimit(model: TinyLM, cache: KVCache): number {
  const { contextLength, positional } = model.config;
  return Math.min(cache.positionLimit, positional === "learned" ? contextLength : Infinity);
}

export function useGeneration(model: TinyLM, onFinish: (run: FinishedRun) => void): Generation {
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<Run | null>(null);
  const [runModel, setRunModel] = useState<TinyLM | null>(null); // the model `run` came from
  const [attention, setAttention] = useState<AttentionSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const conversation = useRef<Conversation | null>(null);
  const finish = useRef(onFinish);
  finish.current = onFinish;

  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback(
    (prompt: string, settings: RunSettings, recordAttention = false) => {
      if (controller.current) return;
      let conv = conversation.current;
      let ids: number[];
      try {
        const key = JSON.stringify([settings.cache, cacheOptions(settings)]);
        if (conv === null || conv.model !== model || conv.key !== key) {
          conv = conversation.current = { model, key, cache: new PrefixCache(makeRunCache(model, settings)), alone: makeRunCache(model, settings), transcript: [] };
        }
        ids = encode(prompt);
      } catch (e) {
        setError((e as Error).message);
        return;
      }
      const cache = conv.cache;
      const limit = positionLimit(model, cache);
      // the conversation so far and the new line; a conversation that would pass the limit starts over
      const full = conv.transcript.length + ids.length > limit ? ids : [...conv.transcript, ...ids];
      const abort = new AbortController();
      controller.current = abort;
      const promptWords = splitWords(prompt).map((w) => w.toLowerCase());
      const context = full.slice(0, full.length - ids.length).map((id) => VOCAB[id]!);
      const recorder = new RunRecorder(nextId.current++, promptWords, cache.kind, limit, cache.bytes(), context);
      const attend = new AttentionRecorder(model.config.nHeads);
      const flush = (): void => {
        setRun(recorder.snapshot());
        setAttention(attend.snapshot());
      };
      const timer = setInterval(flush, FLUSH_MS);
      setError(null);
      setRunning(true);
      setRunModel(model);
      flush();
      const options = { cache, maxNewTokens: settings.maxNewTokens, sampling: samplingOptions(settings), signal: abort.signal };
      const turn = conv;
      generate(model, full, { ...options, onToken: recorder.onToken, ...(recordAttention ? { onAttention: attend.observe } : {}) })
        .then((result) => {
          turn.transcript = [...full, ...result.ids];
          const without = generateSync(model, full, { cache: turn.alone, maxNewTokens: 1, sampling: options.sampling });
          const reuse = { reused: result.reusedPositions, positions: full.length, firstTokenMs: result.firstTokenMs, firstTokenMsWithoutReuse: without.firstTokenMs };
          const done: FinishedRun = { ...recorder.finish(result), sampling: describeSampling(settings), reuse };
          setRun(done);
          setAttention(attend.snapshot());
          finish.current(done);
        })
        .catch((e: unknown) => {
          setRun(null);
          setError(e instanceof ContextError ? contextProblem(e, model, cache.kind) : (e as Error).message);
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
  const busy = useCallback(() => controller.current !== null, []);

  const current = runModel === model;
  return { running, run: current ? run : null, attention: current ? attention : null, error, start, stop, clearError, busy };
}
