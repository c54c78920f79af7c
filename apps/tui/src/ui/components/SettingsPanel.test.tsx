import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_SETTINGS, type FieldKey, type Settings } from "../lib/settings.js";
import { SettingsPanel } from "./SettingsPanel.js";

const patience = { timeout: 30_000, interval: 20 };
// ink-select-input and ink-text-input read their state from the last render, and re-subscribe to keys
// only after React's effects run, a little after the frame shows: so each key waits for its frame
// (vi.waitFor) and then for this tick before the next key.
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 120));

function renderPanel(onApply: (key: FieldKey, value: Settings[FieldKey]) => string | null = () => null) {
  const calls = { applied: [] as [FieldKey, Settings[FieldKey]][], closed: 0, editing: [] as boolean[] };
  const app = render(
    <SettingsPanel
      settings={DEFAULT_SETTINGS}
      onApply={(key, value) => {
        calls.applied.push([key, value]);
        return onApply(key, value);
      }}
      onClose={() => calls.closed++}
      onEditingChange={(e) => calls.editing.push(e)}
      active
      columns={100}
    />,
  );
  const press = async (key: string): Promise<void> => {
    await tick(); // the component shown by the last frame subscribes to keys only after React's effects run
    app.stdin.write(key);
    await tick();
  };
  return { ...app, calls, press, frame: () => app.lastFrame() ?? "" };
}

afterEach(() => cleanup());

describe("<SettingsPanel />", { timeout: 90_000 }, () => {
  it("lists every setting with its value", () => {
    const { frame } = renderPanel();
    expect(frame()).toMatch(/❯ cache strategy\s+full/);
    expect(frame()).toMatch(/max new tokens\s+20/);
    expect(frame()).toMatch(/context length\s+32/);
    expect(frame()).toMatch(/weights file\s+\(seeded\)/);
  });

  it("edits a typed field: Enter opens it with its help, Enter applies the parsed value", async () => {
    const panel = renderPanel();
    await panel.press("\u001b[B"); // max new tokens
    await vi.waitFor(() => expect(panel.frame()).toMatch(/❯ max new tokens/), patience);
    await tick();
    await panel.press("\r");
    await vi.waitFor(() => expect(panel.frame()).toContain("max new tokens: tokens to generate per prompt"), patience);
    expect(panel.calls.editing).toEqual([true]);
    for (const [key, shown] of [["\u007f", "= 2"], ["\u007f", "="], ["5", "= 5"]] as const) {
      await panel.press(key);
      await vi.waitFor(() => expect(panel.frame()).toContain(shown), patience);
      await tick();
    }
    await panel.press("\r");
    await vi.waitFor(() => expect(panel.calls.applied).toEqual([["maxNewTokens", 5]]), patience);
    expect(panel.calls.editing).toEqual([true, false]);
  });

  it("shows the parse error or the error returned by onApply, and keeps the editor open", async () => {
    const panel = renderPanel(() => "config: n_heads must divide d_model=64 evenly; got 5");
    for (let i = 0; i < 11; i++) {
      const before = panel.frame();
      await panel.press("\u001b[B");
      await vi.waitFor(() => expect(panel.frame()).not.toBe(before), patience);
      await tick();
    }
    await vi.waitFor(() => expect(panel.frame()).toMatch(/❯ heads/), patience);
    await tick();
    await panel.press("\r");
    await vi.waitFor(() => expect(panel.frame()).toContain("heads: attention heads"), patience);
    await panel.press("\u007f");
    await vi.waitFor(() => expect(panel.frame()).not.toContain("= 1"), patience);
    await panel.press("5");
    await vi.waitFor(() => expect(panel.frame()).toContain("= 5"), patience);
    await panel.press("\r");
    await vi.waitFor(() => expect(panel.frame()).toContain("config: n_heads must divide d_model=64 evenly; got 5"), patience);
    expect(panel.calls.editing).toEqual([true]); // still editing
    await panel.press("\u001b"); // Esc cancels the edit…
    await vi.waitFor(() => expect(panel.frame()).not.toContain("heads: attention heads"), patience);
    expect(panel.calls.closed).toBe(0);
    await panel.press("\u001b"); // …and a second Esc closes the panel
    await vi.waitFor(() => expect(panel.calls.closed).toBe(1), patience);
  });

  it("picks a choice field from a list", async () => {
    const panel = renderPanel();
    await panel.press("\r"); // cache strategy
    await vi.waitFor(() => expect(panel.frame()).toContain("❯ full"), patience);
    await tick();
    await panel.press("\u001b[A"); // up to none
    await vi.waitFor(() => expect(panel.frame()).toContain("❯ none"), patience);
    await tick();
    await panel.press("\r");
    await vi.waitFor(() => expect(panel.calls.applied).toEqual([["cache", "none"]]), patience);
  });
});

describe("<SettingsPanel /> with keys in bursts", { timeout: 30_000 }, () => {
  // keys written together, as a fast typist, a held key or a paste sends them; each write waits only
  // until Ink listens to stdin, and each check waits for its frame
  async function panelFor(rows?: number) {
    const applied: [FieldKey, Settings[FieldKey]][] = [];
    const app = render(
      <SettingsPanel settings={DEFAULT_SETTINGS} onApply={(key, value) => (applied.push([key, value]), null)} onClose={() => {}} onEditingChange={() => {}} active columns={100} rows={rows} />,
    );
    await vi.waitFor(() => expect(app.stdin.listenerCount("readable")).toBeGreaterThan(0), patience);
    const frame = (): string => app.lastFrame() ?? "";
    return { ...app, applied, frame, until: (check: () => void) => vi.waitFor(check, patience) };
  }

  it("moves one row per arrow when the arrows arrive together", async () => {
    const panel = await panelFor();
    panel.stdin.write("\u001b[B\u001b[B\u001b[B");
    await panel.until(() => expect(panel.frame()).toMatch(/❯ temperature/));
    panel.stdin.write("\u001b[A\u001b[A");
    await panel.until(() => expect(panel.frame()).toMatch(/❯ max new tokens/));
  });

  it("applies Backspace then a digit sent in one burst, and a move, Enter and an edit sent together", async () => {
    const panel = await panelFor();
    panel.stdin.write("\u001b[B\r");
    await panel.until(() => expect(panel.frame()).toContain("= 20"));
    panel.stdin.write("\u007f4");
    await panel.until(() => expect(panel.frame()).toContain("= 24"));
    panel.stdin.write("\r");
    await panel.until(() => expect(panel.applied).toEqual([["maxNewTokens", 24]]));
    panel.stdin.write("\r\u007f\u007f7\r"); // open max new tokens again, type 7, apply: one paste
    await panel.until(() => expect(panel.applied).toEqual([["maxNewTokens", 24], ["maxNewTokens", 7]]));
  });

  it("keeps the selected row in sight when the list has fewer rows than settings", async () => {
    const panel = await panelFor(9);
    expect(panel.frame().split("\n").length).toBeLessThanOrEqual(9);
    panel.stdin.write("\u001b[A"); // from the first row up to the last
    await panel.until(() => expect(panel.frame()).toMatch(/❯ weights file/));
    expect(panel.frame()).toContain("14/14");
    expect(panel.frame().split("\n").length).toBeLessThanOrEqual(9);
    panel.stdin.write("\r"); // its editor takes lines from the list; the row stays in sight
    await panel.until(() => expect(panel.frame()).toContain("weights file: a .safetensors file"));
    expect(panel.frame()).toMatch(/❯ weights file/);
    expect(panel.frame().split("\n").length).toBeLessThanOrEqual(9);
  });
});
