// The session's behaviour through the whole app: what the status bar shows after a rebuild, sampling
// seeds, stopping, and errors in the UI's words. Keys are written only once Ink listens to stdin, and
// several keys in one write arrive as a burst, as from a fast typist or a paste; every wait is for a frame.
import { decode, encode, generateSync } from "@tinylm/model";
import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App.js";
import { buildModel } from "./lib/model-factory.js";
import { CLEAR_TERMINAL } from "./hooks/use-redraw-on-resize.js";
import { DEFAULT_SETTINGS, type Settings } from "./lib/settings.js";
import { listening, patience } from "../../test/keys.js";

const ESC = "\u001b";
const CTRL = (letter: string): string => String.fromCharCode(letter.charCodeAt(0) - 96);

/** The frame's text with line wrapping undone. */
const flat = (frame: string): string => frame.replace(/\s+/g, " ");

async function renderApp(overrides: Partial<Settings> = {}, size: { columns?: number; rows?: number } = {}) {
  const settings = { ...DEFAULT_SETTINGS, ...overrides };
  const model = buildModel(settings);
  const app = render(<App model={model} settings={settings} columns={size.columns} rows={size.rows} />);
  const frame = (): string => app.lastFrame() ?? "";
  await listening(app.stdin);
  /** Writes `keys` as one chunk. */
  const send = (keys: string): void => void app.stdin.write(keys);
  const until = (check: (frame: string) => void): Promise<void> => vi.waitFor(() => check(flat(frame())), patience);
  return { ...app, model, frame, send, until };
}

afterEach(() => cleanup());

describe("the session, through <App />", { timeout: 60_000 }, () => {
  it("after a rebuild (^L) shows the new model's empty state, not the last run's numbers against its limits", async () => {
    const app = await renderApp();
    app.send("the cat sat\r");
    await app.until((f) => expect(f).toContain("generated 20 tokens"));
    expect(flat(app.frame())).toMatch(/tokens 20 .*pos 23\/32/);
    app.send(CTRL("l"));
    await app.until((f) => expect(f).toContain("model rebuilt (seed 0): context 1,000"));
    await app.until((f) => expect(f).toMatch(/tokens 0 .*pos 0\/1,000/));
    expect(flat(app.frame())).toContain("no tokens yet");
  });

  it("with sampling on, advances the seed on every Enter and shows the seed each run used", async () => {
    const app = await renderApp({ sampling: "top-k", topK: 5, temperature: 0.8, maxNewTokens: 8 });
    app.send("the cat\r");
    await app.until((f) => expect(f).toContain("top-k 5, t 0.8, seed 0"));
    app.send("the cat\r");
    await app.until((f) => expect(f).toContain("top-k 5, t 0.8, seed 1"));
    // the second Enter continues the conversation: its prompt is the first run's text and "the cat"
    const first = generateSync(app.model, "the cat", { maxNewTokens: 8, sampling: { temperature: 0.8, topK: 5, seed: 0 } });
    const second = generateSync(app.model, [...first.promptIds, ...first.ids, ...encode("the cat")], { maxNewTokens: 8, sampling: { temperature: 0.8, topK: 5, seed: 1 } });
    expect(flat(app.frame())).toMatch(new RegExp(`› ${first.text} full · 8 tokens .* seed 0 `));
    expect(flat(app.frame())).toMatch(new RegExp(`› the cat ${decode(second.ids)} full · 8 tokens .* seed 1 `));
    expect(flat(app.frame())).toMatch(/reused 9 of 12 positions first token [\d.]+ ms \([\d.]+ ms without reuse\)/);
  });

  it("clears “a generation is running; press Esc…” once Esc stops the run", async () => {
    const app = await renderApp({ contextLength: 1000, cache: "none", maxNewTokens: 900 });
    app.send("the dog runs\r");
    await app.until((f) => expect(f).toContain("Esc/^C stop"));
    app.send("a dog\r");
    await app.until((f) => expect(f).toContain("a generation is running; press Esc to stop it first"));
    app.send(ESC);
    await app.until((f) => expect(f).toContain("stopped after"));
    expect(app.frame()).not.toContain("a generation is running");
  });

  it("says a too-long prompt's problem in the UI's words, not a command-line flag", async () => {
    const app = await renderApp({ contextLength: 4 });
    app.send("the cat sat on a mat\r");
    await app.until((f) => expect(f).toContain("the prompt has 6 tokens, more than the 4 that fit (context length 4"));
    expect(flat(app.frame())).toContain(`raise "context length" in the settings (^O`);
    expect(app.frame()).not.toContain("--");
  });

  it("names the statistic of every number on the run line and the status bar", async () => {
    const app = await renderApp();
    app.send("the cat sat\r");
    await app.until((f) => expect(f).toContain("generated 20 tokens"));
    const f = flat(app.frame());
    expect(f).toMatch(/full · 20 tokens · median [\d.]+ ms\/token · mean [\d,.]+ tok\/s · generated/);
    expect(f).toMatch(/tok\/s \(mean\) [\d,.]+ per token \(last 8\) [\d.]+ ms/);
    expect(f).toMatch(/latency [▁▂▃▄▅▆▇█]+ top [\d.]+ ms \(p90\)/);
  });

  it("after the terminal shrinks, clears the screen and prints the transcript again, so no re-wrapped frame is left", async () => {
    const app = await renderApp();
    app.send("the cat sat\r");
    await app.until((f) => expect(f).toContain("generated 20 tokens"));
    const written = app.stdout.frames.length;
    Object.defineProperty(app.stdout, "columns", { value: 50 });
    app.stdout.emit("resize");
    await vi.waitFor(() => expect(app.stdout.frames.slice(written)).toContain(CLEAR_TERMINAL), patience);
    // the test renderer prints everything <Static> ever printed with each frame: the run shows twice
    await app.until((f) => expect(f.match(/generated 20 tokens/g)).toHaveLength(2));
  });

  it("in a 50×15 terminal, keeps the frame shorter than the screen and the selected setting in sight", async () => {
    const app = await renderApp({}, { columns: 50, rows: 15 });
    app.send(CTRL("o"));
    await app.until((f) => expect(f).toContain("❯ cache strategy"));
    app.send("\u001b[A"); // up from the first row: the last, "weights file"
    await app.until((f) => expect(f).toContain("❯ weights file"));
    app.send("\r");
    await app.until((f) => expect(f).toContain("weights file: a .safetensors file"));
    const lines = app.frame().split("\n");
    const dynamic = lines.slice(lines.findIndex((l) => l.includes("Settings")) - 1);
    expect(dynamic.length, app.frame()).toBeLessThan(15);
    expect(app.frame()).toContain("❯ weights file");
  });
});
