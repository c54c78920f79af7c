// Opens a page in headless Chromium and reports what happened: console errors, uncaught exceptions,
// network requests and the drawn Plotly graphs; optionally a full-page screenshot. It speaks the Chrome
// DevTools Protocol over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON) with node
// built-ins only. Used by the end-to-end test and by screenshot.ts.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pathToFileURL } from "node:url";

export class BrowserError extends Error {
  override readonly name = "BrowserError";
}

/** Flags for a quiet, offline-friendly headless run (TOOLCHAIN.md gotcha 12). */
export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
];

/** The Chromium executable: $CHROMIUM_PATH, else chromium / chromium-browser / google-chrome on PATH. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new BrowserError(`browser: CHROMIUM_PATH="${fromEnv}" does not exist; unset it or point it at a Chromium binary`);
    return fromEnv;
  }
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  throw new BrowserError("browser: Chromium was not found on PATH; install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH");
}

export interface PlotState {
  readonly id: string;
  readonly traces: number; // gd.data.length
  readonly fullTraces: number; // gd._fullData.length: traces Plotly has laid out
  readonly mainSvgs: number; // .main-svg elements inside the graph div
  readonly marks: number; // drawn points, bars and lines (SVG paths under the plot area)
}

export interface PageReport {
  readonly url: string;
  readonly consoleErrors: string[]; // console.error/assert, uncaught exceptions, browser log errors
  readonly requests: string[]; // every URL the page requested other than itself (data: and blob: excluded)
  readonly plotsDone: string | null; // body[data-plots] after load: the number drawn, or "error"
  readonly plots: PlotState[];
  readonly title: string;
  readonly text: string; // the page's visible text
  readonly screenshot?: Buffer;
}

export interface OpenOptions {
  readonly width?: number; // viewport width, px (default 1280)
  readonly height?: number; // viewport height before a full-page screenshot (default 900)
  readonly screenshot?: boolean; // capture the whole page as PNG
  readonly clip?: { readonly y: number; readonly height: number }; // only this band of the page (CSS px from the top)
  readonly timeoutMs?: number; // a guard against a hung browser, for the whole visit (default 120 s); nothing waits on a clock
  /** A page expression that is null until the page is done (default: wait for the report's plots to settle). */
  readonly ready?: string;
}

// ---- the protocol over the pipe ----

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

class Cdp {
  private next = 1;
  private buffer = "";
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners: ((m: Message) => void)[] = [];

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf("\0")) >= 0) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(JSON.parse(text) as Message);
      }
    });
  }

  private dispatch(m: Message): void {
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new BrowserError(`browser: ${p.method} failed: ${m.error.message}`));
      else p.resolve(m.result ?? {});
      return;
    }
    for (const l of this.listeners) l(m);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.next++;
    this.input.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + "\0");
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
  }

  on(listener: (m: Message) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the first event matching `test`. */
  wait(test: (m: Message) => boolean): Promise<Message> {
    return new Promise((resolve) => {
      const l = (m: Message) => {
        if (test(m)) {
          this.listeners.splice(this.listeners.indexOf(l), 1);
          resolve(m);
        }
      };
      this.listeners.push(l);
    });
  }

  failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

// Awaited in the page: resolves when body[data-plots] is set (the report sets it once every plot has
// settled), at once if it already is. A condition, not a clock: a slow machine only makes it later.
const PLOTS_SETTLED = `new Promise((resolve) => {
  const done = () => document.body.dataset.plots;
  if (done()) return resolve(done());
  new MutationObserver((_, observer) => { if (done()) { observer.disconnect(); resolve(done()); } })
    .observe(document.body, { attributes: true, attributeFilter: ["data-plots"] });
})`;

// Awaited in the page after the viewport changes: every plot redrawn at its new size, then a frame painted.
const PLOTS_RESIZED = `Promise.all([...document.querySelectorAll(".js-plotly-plot")].map((gd) => window.Plotly ? Plotly.Plots.resize(gd) : null))
  .then(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))`;

// Evaluated in the page once it has loaded: the state of every Plotly graph div.
const INSPECT = `JSON.stringify({
  plotsDone: document.body.dataset.plots ?? null,
  title: document.title,
  text: document.body.innerText,
  plots: [...document.querySelectorAll(".js-plotly-plot")].map((gd) => ({
    id: gd.id,
    traces: (gd.data || []).length,
    fullTraces: (gd._fullData || []).length,
    mainSvgs: gd.querySelectorAll(".main-svg").length,
    marks: gd.querySelectorAll(".scatterlayer path.js-line, .scatterlayer path.point, .barlayer .point path").length,
  })),
})`;

function remoteText(args: unknown): string {
  const list = (args as { value?: unknown; description?: string; type?: string }[] | undefined) ?? [];
  return list.map((a) => (a.value !== undefined ? String(a.value) : a.description ?? a.type ?? "")).join(" ");
}

/**
 * Loads `file` (a path, or an http: URL) in a fresh headless Chromium profile, waits for the load event and
 * for options.ready (by default body[data-plots], which the report sets when every graph is drawn), and
 * returns what it saw.
 */
export async function openPage(file: string | URL, options: OpenOptions = {}): Promise<PageReport> {
  const chromium = findChromium();
  const url = file instanceof URL ? file.href : pathToFileURL(file).href;
  const profile = mkdtempSync(join(tmpdir(), "tinylm-chromium-"));
  const width = options.width ?? 1280, height = options.height ?? 900;
  const child: ChildProcess = spawn(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--remote-debugging-pipe", "about:blank"], {
    stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const cdp = new Cdp(child.stdio[3] as Writable, child.stdio[4] as Readable);
  const exited = new Promise<never>((_, reject) =>
    child.on("exit", (code) => reject(new BrowserError(`browser: Chromium exited (code ${code}) before the page was inspected. Its stderr:\n${stderr}`))),
  );
  child.on("error", (e) => cdp.failAll(new BrowserError(`browser: cannot start ${chromium}: ${e.message}`)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BrowserError(`browser: ${url} did not finish within ${options.timeoutMs ?? 120_000} ms`)), options.timeoutMs ?? 120_000);
  });

  const visit = async (): Promise<PageReport> => {
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = (await cdp.send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
    const s = (method: string, params: Record<string, unknown> = {}) => cdp.send(method, params, sessionId);
    cdp.on((m) => {
      if (m.sessionId !== sessionId || !m.params) return;
      const p = m.params as Record<string, any>; // CDP event payloads, read defensively
      if (m.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) consoleErrors.push(`console.${p.type}: ${remoteText(p.args)}`);
      if (m.method === "Runtime.exceptionThrown") consoleErrors.push(`uncaught: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
      if (m.method === "Log.entryAdded" && p.entry?.level === "error") consoleErrors.push(`log: ${p.entry.text} ${p.entry.url ?? ""}`.trim());
      if (m.method === "Network.requestWillBeSent") {
        const u = String(p.request?.url ?? "");
        if (u !== url && !u.startsWith("data:") && !u.startsWith("blob:") && u !== "about:blank") requests.push(u);
      }
    });
    await Promise.all([s("Runtime.enable"), s("Log.enable"), s("Network.enable"), s("Page.enable")]);
    await s("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
    const loaded = cdp.wait((m) => m.sessionId === sessionId && m.method === "Page.loadEventFired");
    const nav = await s("Page.navigate", { url });
    if (nav.errorText) throw new BrowserError(`browser: cannot open ${url}: ${String(nav.errorText)}`);
    await loaded;
    // the report sets body[data-plots] once every Plotly.newPlot promise has settled
    const evaluate = async (expression: string) => ((await s("Runtime.evaluate", { expression, returnByValue: true })) as { result: { value: unknown } }).result.value;
    if (options.ready === undefined) await s("Runtime.evaluate", { expression: PLOTS_SETTLED, awaitPromise: true });
    else while ((await evaluate(options.ready)) === null) await new Promise((r) => setTimeout(r, 100)); // a condition, polled
    const state = JSON.parse(String(await evaluate(INSPECT))) as Omit<PageReport, "url" | "consoleErrors" | "requests" | "screenshot">;
    let screenshot: Buffer | undefined;
    if (options.screenshot) {
      const full = Number(await evaluate("Math.ceil(document.documentElement.scrollHeight)"));
      await s("Emulation.setDeviceMetricsOverride", { width, height: full, deviceScaleFactor: 1, mobile: false });
      await s("Runtime.evaluate", { expression: PLOTS_RESIZED, awaitPromise: true }); // responsive plots redraw after the resize
      const clip = options.clip && { x: 0, y: options.clip.y, width, height: Math.min(options.clip.height, full - options.clip.y), scale: 1 };
      const shot = (await s("Page.captureScreenshot", { format: "png", captureBeyondViewport: true, ...(clip ? { clip } : {}) })) as { data: string };
      screenshot = Buffer.from(shot.data, "base64");
    }
    await evaluate("0"); // a round trip: console messages sent before it have arrived
    return { url, consoleErrors, requests, ...state, ...(screenshot ? { screenshot } : {}) };
  };

  try {
    return await Promise.race([visit(), exited, timeout]);
  } finally {
    clearTimeout(timer);
    child.removeAllListeners("exit");
    if (child.exitCode === null) {
      cdp.send("Browser.close").catch(() => undefined);
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
      });
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
