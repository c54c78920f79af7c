// The JSON fixtures the PyTorch twin writes (tools/reference/reference.py, tools/train/make_fixtures.py):
// per weights file, prompts with PyTorch's logits and its greedy continuation.
import { readdirSync, readFileSync } from "node:fs";

export interface PytorchCase {
  readonly prompt: string;
  readonly prompt_ids: number[];
  readonly max_new_tokens: number;
  readonly logits: number[][]; // [T, V]
  readonly greedy_ids: number[];
  readonly greedy_text?: string;
  readonly greedy_logits_last: number[][]; // [max_new_tokens, V]
  readonly greedy_min_margin: number;
}

export interface PytorchFixture {
  readonly weights: string;
  readonly config: Record<string, unknown>;
  readonly vocab: string[];
  readonly cases: PytorchCase[];
}

/** Every *.json fixture in `dir` (a path ending in "/"), in file-name order. */
export const readFixtures = (dir: string): PytorchFixture[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as PytorchFixture);
