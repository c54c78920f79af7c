// `tinylm generate --num-samples n`: n seeded samples of one prompt (seed, seed + 1, …) sharing the prompt's
// paged blocks (copy on write). Prints one continuation per line; the note on stderr (a terminal) and --json
// give the bytes of KV blocks held with sharing against n caches of their own.
import { ConfigError, decode, sampleMany, type SampleManyResult, type SamplingOptions, type TinyLM } from "@tinylm/model";
import { UsageError } from "./errors.js";
import type { GenerateCommandOptions } from "./generate.js";
import type { Io } from "./io.js";

const bytes = (n: number): string => n.toLocaleString("en-US");

export function runSamples(options: GenerateCommandOptions, model: TinyLM, text: string, run: { maxNewTokens: number; cache: string; sampling: SamplingOptions }, io: Io): SampleManyResult {
  const n = options.numSamples!;
  if (run.cache !== "paged") throw new UsageError(`generate: --num-samples shares the prompt's blocks of --cache paged; got --cache ${run.cache} (drop --cache, or give --cache paged)`);
  if (options.draft !== undefined) throw new UsageError("generate: --num-samples and --draft do not go together; give one of them");
  let result: SampleManyResult;
  try {
    result = sampleMany(model, text, { n, maxNewTokens: run.maxNewTokens, sampling: run.sampling, blockSize: options.blockSize, budgetBytes: options.cacheBudget });
  } catch (e) {
    // the library's words ("num_samples", "the budget") in the flags' words
    if (!(e instanceof ConfigError && e.field === "num_samples")) throw e;
    throw new UsageError(`generate: --num-samples ${n} ${e.message.replace(/^config: num_samples /, "").replace(/; got .*$/, "").replace("the budget of", "--cache-budget")}`);
  }
  if (options.json) {
    io.out(`${JSON.stringify({
      prompt_ids: result.promptIds,
      samples: result.samples.map((s) => ({ seed: s.seed, ids: s.ids, continuation: decode(s.ids) })),
      aborted: result.aborted,
      cache: "paged",
      kv_bytes_shared: result.bytes.shared,
      kv_bytes_separate: result.bytes.separate,
      blocks_in_use_after: result.blocksInUse,
      max_new_tokens: run.maxNewTokens,
    })}\n`);
  } else {
    for (const s of result.samples) io.out(`${decode(s.ids)}\n`);
    if (io.errIsTTY) {
      io.err(`tinylm: ${n} samples sharing the prompt's blocks held at most ${bytes(result.bytes.shared)} bytes of keys and values, against ${bytes(result.bytes.separate)} for ${n} caches of their own\n`);
    }
  }
  return result;
}
