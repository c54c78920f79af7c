import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSync, makeConfig, TinyLM } from "@tinylm/model";
import { saveModel } from "@tinylm/model/node";
import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App.js";
import { buildModel } from "./lib/model-factory.js";
import { DEFAULT_SETTINGS, type Settings } from "./lib/settings.js";

const ESC = "\u001b";
const CTRL = (letter: string): string => String.fromCharCode(letter.charCodeAt(0) - 96);
const UP = "\u001b[A";
const DOWN = "\u001b[B";
const patience = { timeout: 30_000, interval: 20 }; // generous: CI machines can be busy
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 120));

/** Renders the app on a real model built from `overrides` (the default model is the exercise's 105,172-parameter one). */
function renderApp(overrides: Partial<Settings> = {}, columns?: number) {
  const settings = { ...DEFAULT_SETTINGS, ...overrides };
  const model = buildModel(settings);
  const app = render(<App model={model} settings={settings} columns={columns} />);
  const frame = (): string => app.lastFrame() ?? "";
  /** Writes keys, then gives Ink a tick to read them (ink-testing-library needs it). */
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      await tick(); // a component shown by the last frame subscribes to keys only after React's effects run
      app.stdin.write(k);
      await tick();
    }
  };
  /**
   * Moves the settings list (or a choice list) down to the row starting with `label`, one key at a time:
   * ink-select-input reads its position from the last render, so each move waits for the frame to show it.
   */
  const moveTo = async (label: string): Promise<void> => {
    for (let i = 0; i < 20 && !frame().includes(`❯ ${label}`); i++) {
      const before = frame();
      await press(DOWN);
      await vi.waitFor(() => expect(frame()).not.toBe(before), patience);
      await tick(); // the list re-subscribes to keys a little after its frame shows
    }
    expect(frame()).toContain(`❯ ${label}`);
  };
  /** Types into ink-text-input one key at a time, each after the last one shows (it too reads the last render). */
  const typeSlowly = async (keys: string[], shown: (typedSoFar: number) => string): Promise<void> => {
    for (const [i, k] of keys.entries()) {
      await press(k);
      await vi.waitFor(() => expect(frame()).toContain(shown(i + 1)), patience);
      await tick();
    }
  };
  return { ...app, model, frame, press, moveTo, typeSlowly };
}

/** The frame's text with line wrapping undone. */
const flat = (frame: string): string => frame.replace(/\s+/g, " ");
const statusNumber = (frame: string, label: string): number => Number(new RegExp(`${label} ([\\d,]+)`).exec(frame)?.[1]?.replace(/,/g, "") ?? NaN);

afterEach(() => {
  cleanup(); // unmounting aborts a generation still running
});

describe("<App />", { timeout: 90_000 }, () => {
  it("completes the word being typed from the vocabulary with Tab", async () => {
    const app = renderApp();
    await app.press("the ca");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("Tab → cat"), patience);
    await app.press("\t", "sat");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("› the cat sat"), patience);
    await app.press("\t", "on"); // Tab on a whole word adds its space
    await vi.waitFor(() => expect(flat(app.frame())).toContain("› the cat sat on"), patience);
  });

  it("marks an unknown word and suggests the nearest known word", async () => {
    const app = renderApp();
    await app.press("the cta ");
    await vi.waitFor(() => expect(flat(app.frame())).toContain(`"cta" is not a word, did you mean "cat"?`), patience);
  });

  it("explains, instead of generating, when Enter is pressed on a prompt with an unknown word", async () => {
    const app = renderApp();
    await app.press("the cow", "\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain(`unknown word "cow" (did you mean "cat"?); the model knows only: the cat dog`), patience);
    expect(flat(app.frame())).toContain("tokens 0");
    expect(flat(app.frame())).toContain("› the cow"); // the prompt is kept to be fixed
  });

  it("streams the model's tokens into the frame and keeps the finished run in the transcript", async () => {
    const app = renderApp();
    const expected = generateSync(app.model, "the cat sat", { maxNewTokens: 20, cache: "full" });
    await app.press("the cat sat", "\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("generated 20 tokens (max_new_tokens)"), patience);
    expect(flat(app.frame())).toContain(`› ${expected.text} full · 20 tokens`);
    expect(flat(app.frame())).toMatch(/tokens 20 .*pos 23\/32/);
    expect(flat(app.frame())).toContain("› type words"); // the prompt line is cleared for the next one
  });

  it("records attention only for runs started with the attention view open (^A)", async () => {
    const app = renderApp();
    await app.press("the cat sat", "\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("generated 20 tokens"), patience);
    await app.press(CTRL("a"));
    await vi.waitFor(() => expect(flat(app.frame())).toContain("with this view open, press Enter to generate"), patience);
    await app.press("a dog", "\r");
    // Enter continues the conversation: 3 + 20 positions, then "a dog" at 23..24, generating to the limit of 32
    await vi.waitFor(() => expect(app.frame()).toMatch(/Attention of "\w+" \(position 30\)/), patience);
    expect(app.frame()).toMatch(/L0 .*[░▒▓█]/);
  });

  it("shows tokens while they are produced, and Esc stops the run part-way keeping them", async () => {
    // `none` recomputes the whole sequence for each token: slow enough to catch mid-run
    const app = renderApp({ contextLength: 1000, cache: "none", maxNewTokens: 900 });
    await app.press("the dog runs", "\r");
    await vi.waitFor(() => {
      expect(flat(app.frame())).toContain("Esc/^C stop");
      expect(statusNumber(app.frame(), "tokens")).toBeGreaterThanOrEqual(3);
    }, patience);
    expect(flat(app.frame())).toMatch(/› the dog runs \S+ \S+ \S+/); // the live line, before the run ends (a long one elides its middle: "…12 more…")
    await app.press(ESC);
    await vi.waitFor(() => expect(app.frame()).toContain("aborted"), patience);
    const produced = Number(/none · (\d+) tokens/.exec(app.frame())?.[1]);
    expect(produced).toBeGreaterThanOrEqual(3);
    expect(produced).toBeLessThan(900);
    expect(flat(app.frame())).toContain(`stopped after ${produced} tokens: aborted`);
    // the transcript holds exactly the tokens the model produced (greedy, the same with any cache)
    const expected = generateSync(app.model, "the dog runs", { maxNewTokens: produced, cache: "full" });
    expect(flat(app.frame())).toContain(`› ${expected.text} none · ${produced} tokens`);
  });

  it("Ctrl+C stops a running generation, and quits when nothing runs", async () => {
    const app = renderApp({ contextLength: 1000, cache: "none", maxNewTokens: 900 });
    await app.press("a big dog", "\r");
    await vi.waitFor(() => expect(statusNumber(app.frame(), "tokens")).toBeGreaterThanOrEqual(2), patience);
    await app.press(CTRL("c"));
    await vi.waitFor(() => expect(app.frame()).toContain("aborted"), patience);
    await app.press(CTRL("c"), "the");
    expect(app.frame()).not.toContain("› the"); // the app has exited: keys no longer reach it
  });

  it("switches the cache strategy from the keyboard and from the settings, and the status bar follows", async () => {
    const app = renderApp();
    expect(app.frame()).toMatch(/cache full\s+mem 48\.0 KiB/);
    await app.press(CTRL("k"));
    await vi.waitFor(() => expect(app.frame()).toMatch(/cache none\s+mem 0 B/), patience);
    expect(app.frame()).not.toContain("› k"); // Ctrl+K is a command, not a letter
    await app.press(CTRL("k"));
    await vi.waitFor(() => expect(app.frame()).toMatch(/cache full/), patience);
    await app.press(CTRL("o"));
    await vi.waitFor(() => expect(app.frame()).toContain("cache strategy   full"), patience);
    await app.press("\r"); // edit "cache strategy": a list of the strategies, at full
    await vi.waitFor(() => expect(flat(app.frame())).toContain("❯ full"), patience);
    await app.moveTo("paged");
    await app.press("\r");
    await vi.waitFor(() => expect(app.frame()).toMatch(/cache paged\s+mem/), patience);
    await app.press(ESC, "the cat", "\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("paged · 20 tokens"), patience);
  });

  it("rebuilds the model when the context length changes in the settings", async () => {
    const app = renderApp();
    await app.press(CTRL("o"));
    await vi.waitFor(() => expect(app.frame()).toContain("context length   32"), patience);
    await app.moveTo("context length");
    await app.press("\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("context length: most positions"), patience);
    const draft = ["= 3", "=", "= 1", "= 12", "= 128"];
    await app.typeSlowly(["\u007f", "\u007f", "1", "2", "8"], (n) => draft[n - 1]!);
    await app.press("\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("model rebuilt (seed 0): context 128"), patience);
    expect(flat(app.frame())).toContain("pos 0/128");
    await app.press("\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("= 128"), patience);
    await app.typeSlowly(["\u007f", "\u007f", "\u007f", "x"], (n) => ["= 12", "= 1", "=", "= x"][n - 1]!);
    await app.press("\r"); // a typed mistake is explained, not applied
    await vi.waitFor(() => expect(flat(app.frame())).toContain(`context length: got "x", expected an integer`), patience);
  });

  it("loads a weights file named in the settings, and explains a path it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-tui-"));
    try {
      const path = join(dir, "wide.safetensors");
      const saved = TinyLM.init(makeConfig({ contextLength: 48, positional: "sinusoidal" }), { seed: 5 });
      saveModel(path, saved);
      const app = renderApp();
      await app.press(CTRL("o"));
      await vi.waitFor(() => expect(flat(app.frame())).toContain("❯ cache strategy"), patience);
      await app.moveTo("weights file");
      await app.press("\r");
      await vi.waitFor(() => expect(flat(app.frame())).toContain("weights file: a .safetensors file"), patience);
      await app.press(join(dir, "missing.safetensors")); // one chunk: ink-text-input inserts it whole
      await vi.waitFor(() => expect(app.frame()).toContain("missing.safetensors"), patience);
      await app.press("\r");
      await vi.waitFor(() => expect(flat(app.frame())).toContain(`weights: cannot read "${join(dir, "missing.safetensors")}" (ENOENT)`), patience);
      await app.press(ESC, "\r");
      await vi.waitFor(() => expect(flat(app.frame())).toContain("weights file: a .safetensors file"), patience);
      await app.press(path);
      await vi.waitFor(() => expect(app.frame()).toContain("wide.safetensors"), patience);
      await app.press("\r");
      await vi.waitFor(() => expect(flat(app.frame())).toContain(`model rebuilt ("${path}"): context 48 · sinusoidal positions`), patience);
      expect(app.frame()).toMatch(/context length\s+48/); // read back from the file
      await app.press(ESC, "the cat sat", "\r");
      const expected = generateSync(saved, "the cat sat", { maxNewTokens: 20 });
      await vi.waitFor(() => expect(flat(app.frame())).toContain(`› ${expected.text} full · 20 tokens`), patience);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("switches to the long-context preset with Ctrl+L and back", async () => {
    const app = renderApp();
    await app.press(CTRL("l"));
    await vi.waitFor(() => expect(flat(app.frame())).toContain("model rebuilt (seed 0): context 1,000 · learned positions"), patience);
    expect(flat(app.frame())).toContain("pos 0/1,000");
    await app.press(CTRL("o"));
    await vi.waitFor(() => expect(app.frame()).toMatch(/max new tokens\s+300/), patience);
    await app.press(CTRL("o"), CTRL("l"));
    await vi.waitFor(() => expect(flat(app.frame())).toContain("pos 0/32"), patience);
    await app.press(CTRL("o"));
    await vi.waitFor(() => expect(app.frame()).toMatch(/max new tokens\s+20/), patience);
  });

  it("shows the model summary with its 105,172 parameters", async () => {
    const app = renderApp();
    await app.press(CTRL("t"));
    await vi.waitFor(() => expect(flat(app.frame())).toContain("Model summary"), patience);
    expect(app.frame()).toMatch(/total\s+105,172/);
    await app.press(CTRL("t"));
    await vi.waitFor(() => expect(app.frame()).not.toContain("Model summary"), patience);
  });

  it("shows which earlier words the last token attended to, per layer", async () => {
    const app = renderApp();
    await app.press(CTRL("a"));
    await vi.waitFor(() => expect(flat(app.frame())).toContain("with this view open, press Enter to generate"), patience);
    await app.press("the cat sat", "\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("generated 20 tokens"), patience);
    const expected = generateSync(app.model, "the cat sat", { maxNewTokens: 20, cache: "full" });
    const words = expected.text.split(" ");
    // the 20th token was predicted by the 19th, at position 3 + 19 - 1 = 21
    expect(flat(app.frame())).toContain(`Attention of "${words[21]}" (position 21) predicting "${words[22]}"`);
    expect(app.frame()).toMatch(/L0 .*[░▒▓█]/);
    expect(app.frame()).toMatch(/L2 .*[░▒▓█]/);
  });

  it("recalls earlier prompts with ↑ and returns to the draft with ↓", async () => {
    const app = renderApp({ maxNewTokens: 1 });
    await app.press("a dog", "\r");
    await vi.waitFor(() => expect(flat(app.frame())).toContain("generated 1 tokens"), patience);
    await app.press("the cat", "\r");
    await vi.waitFor(() => expect(app.frame().match(/generated 1 tokens/g)).toHaveLength(2), patience);
    await app.press("big", UP);
    await vi.waitFor(() => expect(flat(app.frame())).toContain("› the cat"), patience);
    await app.press(UP);
    await vi.waitFor(() => expect(flat(app.frame())).toContain("› a dog"), patience);
    await app.press(DOWN, DOWN);
    await vi.waitFor(() => expect(flat(app.frame())).toContain("› big"), patience);
  });

  it("stays readable in a terminal 50 columns wide", async () => {
    const app = renderApp({}, 50);
    await app.press("the cat sat", "\r");
    await vi.waitFor(() => expect(app.frame()).toContain("(max_new_tokens)"), patience);
    await app.press(CTRL("t"));
    await vi.waitFor(() => expect(app.frame()).toContain("105,172"), patience);
    for (const line of app.frame().split("\n")) expect([...line].length).toBeLessThanOrEqual(50);
    expect(flat(app.frame())).toContain("cache full");
    expect(flat(app.frame())).toContain("^C quit");
  });
});
