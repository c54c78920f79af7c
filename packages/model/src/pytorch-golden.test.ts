// tinylm against PyTorch: the committed fixtures in ../fixtures/pytorch were written by
// tools/reference/reference.py (an independent torch implementation of the same model) from safetensors
// files that tinylm itself wrote. The suite needs no Python: it loads each weights file with loadModel,
// and compares
//   - the logits of one forward over each prompt [T, V], within 1e-4 absolute (the tolerance;
//     the observed gap is ~1e-6: PyTorch sums in float32, tinylm's JS kernels in float64);
//   - the 30-token greedy continuation, token for token, through `none` (recompute) and every exact
//     cache (`full`, `paged`), with each step's last logits row within 1e-4 too;
// under both kernel backends (plain TypeScript and WebAssembly).
import { fileURLToPath } from "node:url";
import { getBackend, setBackend, type BackendName } from "@tinylm/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { configFromJson } from "./config.js";
import { createCache } from "./kv-cache/index.js";
import { decode, maxAbsDiff, rowOf } from "./kv-cache/drive.test-utils.js";
import { VOCAB, decode as decodeWords } from "./vocab.js";
import { loadModel } from "./weights-file.js";
import { readFixtures } from "./pytorch-fixtures.test-utils.js";

const TOLERANCE = 1e-4;
const dir = fileURLToPath(new URL("../fixtures/pytorch/", import.meta.url));

const fixtures = readFixtures(dir);

const rows = (xs: number[][]): Float32Array[] => xs.map((r) => Float32Array.from(r));
const initial = getBackend();
afterAll(() => setBackend(initial));

describe("the PyTorch fixtures", () => {
  it("cover learned and sinusoidal positions, 1 and 4 heads, with sharp weights", () => {
    const configs = fixtures.map((f) => configFromJson(f.config));
    for (const positional of ["learned", "sinusoidal"])
      for (const nHeads of [1, 4]) expect(configs.some((c) => c.positional === positional && c.nHeads === nHeads)).toBe(true);
    expect(fixtures.every((f) => f.vocab.join(" ") === VOCAB.join(" "))).toBe(true);
    expect(fixtures.every((f) => f.cases.length >= 4 && f.cases.every((c) => c.greedy_ids.length === c.max_new_tokens))).toBe(true);
  });

  describe.each(["js", "wasm"] as BackendName[])("under the %s backend", (backend) => {
    describe.each(fixtures.map((f) => [f.weights, f] as const))("%s", (name, fixture) => {
      const model = loadModel(dir + name);

      it("loads the config PyTorch read from the same file", () => {
        expect(model.config).toEqual(configFromJson(fixture.config));
      });

      it.each(fixture.cases.map((c) => [c.prompt, c] as const))("forward over %j gives PyTorch's logits", (_, c) => {
        setBackend(backend);
        const out = model.forward(c.prompt_ids); // [T, V]
        expect(out.shape).toEqual([c.prompt_ids.length, VOCAB.length]);
        const got = c.prompt_ids.map((_, i) => rowOf(out, i));
        expect(maxAbsDiff(got, rows(c.logits))).toBeLessThan(TOLERANCE);
      });

      it.each(fixture.cases.map((c) => [c.prompt, c] as const))("greedy continuation of %j matches, with and without the cache", (_, c) => {
        setBackend(backend);
        // A pick is only decidable when the top-two gap is far above the tolerance; the fixtures are made so.
        expect(c.greedy_min_margin).toBeGreaterThan(10 * (backend === "wasm" ? 1e-5 : 1e-6));
        const total = c.prompt_ids.length + c.max_new_tokens;
        for (const kind of ["none", "full", "paged"]) {
          const cache = createCache(kind, model.config, { blockSize: 4 });
          const run = decode(model, cache, c.prompt_ids, total);
          expect(run.tokens.slice(c.prompt_ids.length), `${kind}`).toEqual(c.greedy_ids);
          expect(decodeWords(run.tokens.slice(c.prompt_ids.length))).toBe(c.greedy_text);
          expect(maxAbsDiff(run.logits, rows(c.greedy_logits_last)), `${kind}`).toBeLessThan(TOLERANCE);
        }
      });
    });
  });
});
