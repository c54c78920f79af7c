// The page checker must be able to fail: a page with a console error, an uncaught exception and a
// network request is reported as such, and a clean page is not. Needs Chromium (apt-get install -y chromium).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openPage } from "./browser.js";

const dir = mkdtempSync(join(tmpdir(), "tinylm-browser-test-"));
const page = (name: string, body: string): string => {
  const file = join(dir, name);
  writeFileSync(file, `<!doctype html><html><head><title>${name}</title></head><body>${body}</body></html>`);
  return file;
};

describe("openPage", () => {
  it("reports console errors, uncaught exceptions and network requests", async () => {
    const file = page("bad.html", `
      <img src="http://127.0.0.1:9/pixel.png">
      <script>console.error("boom", 42); document.body.dataset.plots = "0"; setTimeout(() => { throw new Error("late failure"); }, 0);</script>`);
    const r = await openPage(file);
    expect(r.consoleErrors).toEqual(expect.arrayContaining([
      "console.error: boom 42",
      expect.stringMatching(/^uncaught: Error: late failure/),
    ]));
    expect(r.requests).toContain("http://127.0.0.1:9/pixel.png");
    expect(r.plotsDone).toBe("0");
  }, 60_000);

  it("reports a clean page as clean, with its text", async () => {
    const r = await openPage(page("good.html", `<p>hello</p><script>document.body.dataset.plots = "0";</script>`));
    expect(r).toMatchObject({ consoleErrors: [], requests: [], plots: [], title: "good.html", text: "hello" });
  }, 60_000);
});
