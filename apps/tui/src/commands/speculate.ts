// `tinylm generate --draft FILE --speculate k`: speculative decoding on the command line. The draft must
// share the model's vocabulary and positions; both caches must roll back (full, paged, int8). Prints the
// continuation like plain generate; the note on stderr (a terminal) and --json add the acceptance.
import { decode, speculate, type SamplingOptions, type SpeculateResult, type TinyLM } from "@tinylm/model";
import { UsageError } from "./errors.js";
import { ms, type GenerateCommandOptions } from "./generate.js";
import type { Io } from "./io.js";
import { loadOrInitModel } from "./model-source.js";

export const DEFAULT_SPECULATE = 4;
const ROLLS_BACK = ["full", "paged", "int8"];

export interface SpeculativeRun {
  readonly maxNewTokens: number;
  readonly cache: string;
  readonly sampling: SamplingOptions;
  readonly temperature: number;
}

/** Checks the flags against the two models (one line naming the flag and the limit) and runs. */
export function runSpeculative(options: GenerateCommandOptions, model: TinyLM, text: string, run: SpeculativeRun, io: Io): SpeculateResult {
  if (options.draft === undefined) throw new UsageError(`generate: --speculate needs --draft FILE, the model that proposes the tokens (e.g. --weights long --draft draft)`);
  if (!ROLLS_BACK.includes(run.cache)) {
    throw new UsageError(`generate: --draft needs a cache that rolls back rejected tokens: --cache ${ROLLS_BACK.join(", ")}; got --cache ${run.cache}`);
  }
  const draft = loadOrInitModel({ weights: options.draft });
  const t = model.config, d = draft.config;
  if (d.vocabSize !== t.vocabSize || d.contextLength !== t.contextLength || d.positional !== t.positional) {
    throw new UsageError(`generate: --draft ${options.draft} has vocab_size ${d.vocabSize}, context_length ${d.contextLength}, ${d.positional} positions; the model has vocab_size ${t.vocabSize}, context_length ${t.contextLength}, ${t.positional} positions; a draft must match all three`);
  }
  const k = options.speculate ?? DEFAULT_SPECULATE;
  if (k >= t.contextLength) throw new UsageError(`generate: --speculate ${k} is beyond the context (context_length ${t.contextLength}); give --speculate from 1 to ${t.contextLength - 1}`);
  const result = speculate(model, text, {
    draft, k, maxNewTokens: run.maxNewTokens, cache: run.cache, blockSize: options.blockSize, sampling: run.sampling,
  });
  const rate = Number.isFinite(result.acceptanceRate) ? `${(100 * result.acceptanceRate).toFixed(1)}%` : "n/a";
  if (options.json) {
    io.out(`${JSON.stringify({
      prompt_ids: result.promptIds, ids: result.ids, continuation: decode(result.ids), text: result.text, stop_reason: result.stopReason, cache: run.cache,
      speculate: k, draft: options.draft, rounds: result.rounds, proposed: result.proposed, accepted: result.accepted,
      acceptance_rate: Number.isFinite(result.acceptanceRate) ? result.acceptanceRate : null, first_token_ms: result.firstTokenMs, total_ms: result.totalMs,
      max_new_tokens: run.maxNewTokens, sampling: { temperature: run.temperature, top_k: options.topK ?? null, top_p: options.topP ?? null, seed: run.sampling.seed },
    })}\n`);
  } else {
    io.out(`${decode(result.ids)}\n`);
    if (io.errIsTTY) {
      io.err(`tinylm: ${result.ids.length} tokens by speculative decoding (k ${k}) in ${ms(result.totalMs)}: ${result.accepted} of ${result.proposed} proposals accepted (${rate}) in ${result.rounds} passes of the model\n`);
    }
  }
  if (result.stopReason === "context") io.err(`tinylm: stopped after ${result.ids.length} tokens: the sequence reached the context (${t.contextLength} positions)\n`);
  return result;
}
