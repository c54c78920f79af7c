// tinylm on the trained models against the PyTorch twin: the fixtures in ../../fixtures/pytorch-trained
// were written by tools/train/make_fixtures.py (tools/reference/reference.py on the bundled weights).
// Trained weights give larger logits than the random ones (up to ~15), so the tolerance is relative, as in
// reference.py's self-checks: every logit within 1e-5 · max(1, max |logit|) of PyTorch's (observed: 1e-6 to
// 3e-5 absolute; PyTorch sums in float32 in its own order), and the greedy continuations token for token,
// with and without a cache, under both kernel backends. The far-dependency prompt of the long models (the topic 66 words
// back) checks attention over a long prefix too.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getBackend, setBackend, type BackendName, type Tensor } from "@tinylm/tensor";
import { afterAll, describe, expect, it, vi } from "vitest";
import { configFromJson } from "../config.js";
import { generateSync } from "../generate.js";
import { VOCAB } from "../vocab.js";
import { bundledModelPath, isBundledModel, loadBundledModel } from "./bundled.js";

vi.setConfig({ testTimeout: 300_000 }); // a busy 2-core machine: these run whole generations

const TOLERANCE = 1e-5;
const dir = fileURLToPath(new URL("../../fixtures/pytorch-trained/", import.meta.url));

interface Case {
  readonly prompt: string;
  readonly prompt_ids: number[];
  readonly max_new_tokens: number;
  readonly logits: number[][]; // [T, V]
  readonly greedy_ids: number[];
  readonly greedy_logits_last: number[][]; // [max_new_tokens, V]
  readonly greedy_min_margin: number;
}
interface Fixture {
  readonly weights: string;
  readonly config: Record<string, unknown>;
  readonly vocab: string[];
  readonly cases: Case[];
}

const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as Fixture);

/** Largest |logits[i, j] - expected[i][j]| over rows `from`.. of logits, over max(1, max |expected|). */
function maxDiff(logits: Tensor, expected: number[][], from = 0): number {
  let worst = 0;
  let scale = 1;
  expected.forEach((row, i) =>
    row.forEach((x, j) => {
      worst = Math.max(worst, Math.abs(logits.get(from + i, j) - Math.fround(x)));
      scale = Math.max(scale, Math.abs(x));
    }),
  );
  return worst / scale;
}

const initial = getBackend();
afterAll(() => setBackend(initial));

describe("the trained models' PyTorch fixtures", () => {
  it("cover every bundled model, on the vocabulary", () => {
    expect(fixtures.map((f) => f.weights).sort()).toEqual(["draft.safetensors", "exercise.safetensors", "long.safetensors"]);
    expect(fixtures.every((f) => f.vocab.join(" ") === VOCAB.join(" "))).toBe(true);
  });

  describe.each(["js", "wasm"] as BackendName[])("under the %s backend", (backend) => {
    describe.each(fixtures.map((f) => [f.weights, f] as const))("%s", (file, fixture) => {
      const name = file.replace(/\.safetensors$/, "");
      if (!isBundledModel(name)) throw new Error(`fixture of an unknown model ${file}`);
      const model = loadBundledModel(name);

      it("is the bundled file, with the config PyTorch read", () => {
        expect(bundledModelPath(name).endsWith(`models/${file}`)).toBe(true);
        expect(model.config).toEqual(configFromJson(fixture.config));
      });

      it.each(fixture.cases.map((c) => [c.prompt.slice(0, 40), c] as const))("forward over %j gives PyTorch's logits within 1e-5 (relative)", (_, c) => {
        setBackend(backend);
        const out = model.forward(c.prompt_ids); // [T, V]
        expect(out.shape).toEqual([c.prompt_ids.length, VOCAB.length]);
        expect(maxDiff(out, c.logits)).toBeLessThan(TOLERANCE);
      });

      it.each(fixture.cases.map((c) => [c.prompt.slice(0, 40), c] as const))("greedy continuation of %j matches, with and without the cache", (_, c) => {
        setBackend(backend);
        expect(c.greedy_min_margin).toBeGreaterThan(10 * TOLERANCE); // each pick is decidable at this tolerance
        for (const cache of ["none", "full", "paged"]) {
          const run = generateSync(model, c.prompt_ids, { maxNewTokens: c.max_new_tokens, cache });
          expect(run.ids, cache).toEqual(c.greedy_ids);
        }
        // the last-row logits of every step: one forward over the whole sequence gives the same rows
        const all = [...c.prompt_ids, ...c.greedy_ids.slice(0, -1)];
        expect(maxDiff(model.forward(all), c.greedy_logits_last, c.prompt_ids.length - 1)).toBeLessThan(TOLERANCE);
      });
    });
  });
});
