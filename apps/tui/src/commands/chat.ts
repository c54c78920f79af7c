// `tinylm chat`: a conversation over standard input. Each line continues one transcript (the previous
// lines and every continuation so far); the KV cache is kept between lines in a PrefixCache, so a turn
// computes only its new positions. Per turn: the continuation on stdout, then on stderr how many
// positions were reused and the time to the first token, with and without the reuse (the second is the
// same turn through an empty cache of the same strategy). Works over a pipe: printf 'the cat\nsat on\n' | tinylm chat
import { Option, type Command } from "commander";
import {
  CACHE_KINDS, createCache, decode, DEFAULT_BLOCK_SIZE, DEFAULT_SINKS, encode, generateSync, MAX_CONTEXT_LENGTH, PrefixCache, Sampler,
  type SamplingOptions,
} from "@tinylm/model";
import { outcomeOf, UsageError } from "./errors.js";
import { checkCacheFlags, checkWindow, ms, type GenerateCommandOptions } from "./generate.js";
import type { Io } from "./io.js";
import { loadOrInitModel, modelWeightsOption, weightsFromUser } from "./model-source.js";
import { configOptions, givenConfigFlags, integerArg, numberArg, seedOption, type ConfigFlags } from "./options.js";

export type ChatOptions = Omit<GenerateCommandOptions, "prompt" | "promptFile">;

export interface ChatTurn {
  readonly ids: number[];
  readonly reused: number;
  readonly positions: number; // the prompt's: transcript and the new line
  readonly firstTokenMs: number;
  readonly firstTokenMsWithoutReuse: number;
}

/** Runs the conversation on `lines`; returns its turns. A refused line is reported and skipped; the exit status is 2 then. */
export async function runChat(given: ChatOptions, io: Io, lines: AsyncIterable<string> = io.lines()): Promise<ChatTurn[]> {
  const options = { ...given, weights: weightsFromUser(io, given.weights) };
  const kind = options.cache ?? "full";
  checkCacheFlags(options, kind, "chat");
  const seed = options.seed ?? 0;
  const sampling: SamplingOptions = { temperature: options.temperature, topK: options.topK, topP: options.topP, seed: options.sampleSeed ?? seed };
  new Sampler(sampling); // validates
  const model = loadOrInitModel({ ...options, seed });
  checkWindow(options, model.config);
  const cacheOptions = { window: options.window, sinks: options.sinks, blockSize: options.blockSize };
  const cache = new PrefixCache(createCache(kind, model.config, cacheOptions));
  const alone = createCache(kind, model.config, cacheOptions); // the same turn without reuse, for comparison
  const limit = Math.min(cache.positionLimit, model.config.positional === "learned" ? model.config.contextLength : Infinity);
  generateSync(model, [0, 1, 2, 3], { maxNewTokens: 2, cache: alone }); // compiles the prefill and decode paths, so turn 1 is not timing the compiler
  const maxNewTokens = options.maxNewTokens ?? 10;
  const turns: ChatTurn[] = [];
  let transcript: number[] = [];
  let refused = 0;
  if (io.interactive) io.err(`tinylm chat: each line continues the conversation (cache "${kind}", ${limit === Infinity ? "no position limit" : `${limit} positions`}); end with Ctrl-D\n> `);
  for await (const raw of lines) {
    const line = raw.trim();
    if (line !== "") {
      try {
        const ids = encode(line);
        let prompt = [...transcript, ...ids];
        if (prompt.length > limit && transcript.length > 0) {
          io.err(`tinylm: the conversation reached its limit of ${limit} positions; starting a new one with this line\n`);
          prompt = ids;
        }
        const turn = { maxNewTokens, sampling: { ...sampling, seed: (sampling.seed ?? 0) + turns.length } };
        const result = generateSync(model, prompt, { ...turn, cache });
        const without = generateSync(model, prompt, { ...turn, maxNewTokens: 1, cache: alone });
        const t: ChatTurn = { ids: result.ids, reused: result.reusedPositions, positions: prompt.length, firstTokenMs: result.firstTokenMs, firstTokenMsWithoutReuse: without.firstTokenMs };
        turns.push(t);
        transcript = [...prompt, ...result.ids];
        if (options.json) {
          io.out(`${JSON.stringify({
            turn: turns.length, line, ids: t.ids, continuation: decode(t.ids), reused_positions: t.reused, prompt_positions: t.positions,
            first_token_ms: t.firstTokenMs, first_token_ms_without_reuse: t.firstTokenMsWithoutReuse, stop_reason: result.stopReason, cache: kind,
          })}\n`);
        } else {
          io.out(`${decode(t.ids)}\n`);
          io.err(`tinylm: reused ${t.reused} of ${t.positions} positions; first token in ${ms(t.firstTokenMs)} (${ms(t.firstTokenMsWithoutReuse)} without reuse)\n`);
        }
        if (result.stopReason === "context") io.err(`tinylm: ${result.stopMessage}\n`);
      } catch (error) {
        const outcome = outcomeOf(error);
        if (outcome.exitCode !== 2) throw error;
        io.err(outcome.stderr);
        refused++;
      }
    }
    if (io.interactive) io.err("> ");
  }
  if (refused > 0) throw new UsageError(`chat: ${refused} line${refused > 1 ? "s were" : " was"} refused (see above); the others were answered`);
  return turns;
}

export function addChatCommand(program: Command, io: Io): Command {
  const command = program
    .command("chat")
    .description("a conversation over stdin: each line continues the transcript, the KV cache is kept between lines")
    .option("--max-new-tokens <n>", "tokens to generate per line", integerArg(0), 10)
    .addOption(modelWeightsOption())
    .addOption(seedOption("seed of the random weights (--weights random) and of sampling (unless --sample-seed); turn i samples with seed + i"))
    .option("--sample-seed <n>", "seed of the sampler (default: the value of --seed)", integerArg(0, 2 ** 32 - 1));
  for (const option of configOptions()) command.addOption(option);
  return command
    .addOption(new Option("--cache <kind>", "KV-cache strategy, kept between lines").choices(CACHE_KINDS).default("full"))
    .option("--window <n>", "positions kept by --cache sliding-window and sinks (default: half the context length)", integerArg(1, MAX_CONTEXT_LENGTH))
    .option("--sinks <n>", `leading positions always kept by --cache sinks (default: ${DEFAULT_SINKS})`, integerArg(0, MAX_CONTEXT_LENGTH))
    .option("--block-size <n>", `positions per block of --cache paged (default: ${DEFAULT_BLOCK_SIZE})`, integerArg(1, MAX_CONTEXT_LENGTH))
    .option("--temperature <t>", "sampling temperature; 0 is greedy argmax (default: 0, or 1 with --top-k or --top-p)", numberArg(0))
    .option("--top-k <k>", "sample from the k most probable words only (default: all 20)", integerArg(1))
    .option("--top-p <p>", "sample from the fewest most probable words whose probability reaches p (default: 1, off)", numberArg(0, 1, true))
    .option("--json", "one JSON object per line: continuation, reused and prompt positions, first-token times", false)
    .action(async (o: Omit<ChatOptions, keyof ConfigFlags>, cmd: Command) => {
      await runChat({ ...o, ...givenConfigFlags(cmd) }, io);
    });
}
