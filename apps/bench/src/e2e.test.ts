// End to end: `pnpm bench --quick --out DIR` itself, from the repository root, with the pnpm of the root's
// packageManager field through npx (--offline first: it is in npx's cache when the README's commands ran,
// so the test makes no network request; fetched otherwise). pnpm runs the root package.json's "bench" script: build-quiet.mjs builds
// the bench through turbo, then dist/main.js measures. Then
// open the report in headless Chromium: it must load with no console error and no network request, and
// draw every plot. Chromium is required: without it this test fails (apt-get install -y chromium).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { openPage, type PageReport } from "./browser.js";
import type { BenchResults } from "./results.js";

const pkg = dirname(dirname(fileURLToPath(import.meta.url))); // apps/bench
const root = dirname(dirname(pkg));
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { packageManager: string; scripts: Record<string, string> };
const benchScript = rootPackage.scripts.bench!;
const out = mkdtempSync(join(tmpdir(), "tinylm-bench-e2e-"));
let run: { status: number | null; stdout: string; stderr: string; ms: number };
let page: PageReport;
let setupError: unknown; // reported by every test below (a failed beforeAll would only mark them skipped)

beforeAll(async () => {
  try {
    const t0 = performance.now();
    const pnpm = (offline: boolean) => spawnSync("npx", ["-y", ...(offline ? ["--offline"] : []), rootPackage.packageManager, "bench", "--quick", "--out", out], { cwd: root, encoding: "utf8", shell: process.platform === "win32" });
    let r = pnpm(true); // "pnpm@12.4.2" from npx's cache
    if (r.status !== 0 && !r.stderr.includes(benchScript)) r = pnpm(false); // not cached (pnpm installed globally instead): fetch it
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
    if (run.status !== 0) throw new Error(`bench --quick exited ${run.status}:\n${run.stderr}`);
    page = await openPage(join(out, "index.html"));
  } catch (e) {
    setupError = e;
  }
}, 120_000);

/** Fails the calling test with the setup's error, if there was one. */
function ready(): void {
  if (setupError) throw setupError;
}

describe("pnpm bench --quick, opened in headless Chromium", () => {
  it("ran the root package.json's bench script: build-quiet, then the bench's dist/main.js", () => {
    expect(benchScript).toBe("node scripts/build-quiet.mjs @tinylm/bench && node apps/bench/dist/main.js");
    ready();
    const lines = run.stderr.split("\n");
    expect(lines[0]).toBe(`$ ${benchScript} --quick --out ${out}`); // pnpm echoes the script it runs
    expect(lines[1]).toMatch(/^bench: \w+ kernels, \d+ runs .*quick$/); // nothing from the build: it succeeded quietly
  });

  it("writes index.html and results.json and prints the summary line", () => {
    ready();
    expect(existsSync(join(out, "index.html"))).toBe(true);
    expect(run.stdout).toMatch(/^At 100 tokens the cache is [\d.,]+× faster: .+ without it, .+ with it\.\n/);
    expect(run.stdout).toContain(`report:  ${join(out, "index.html")}`);
    console.log(`bench --quick took ${(run.ms / 1000).toFixed(1)} s`); // printed, never asserted
  });

  it("results.json holds the raw numbers, the machine and the date", () => {
    ready();
    const r = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as BenchResults;
    expect(r.schema).toBe("tinylm-bench/2");
    expect(r.settings.positionTokens).toBe(100); // --quick: the long runs stop at the largest n
    expect(r.separateRuns.n).toBe(50);
    for (const kind of ["none", "full"] as const) {
      expect(r.separateRuns[kind].longRunMs).toBe(r.sweep[kind].medianMs[2]); // n = 50, one repeat
      expect(r.separateRuns[kind].separateMs.median).toBeGreaterThan(0);
      expect(r.separateRuns[kind].sameTokens).toBe(true);
    }
    expect(r.int8Error).toMatchObject({ kind: "int8", steps: 100 });
    expect(r.int8Error!.maxAbs).toBeGreaterThan(0);
    expect(r.int8Error!.maxAbs).toBeLessThan(0.05 * Math.max(1, r.int8Error!.maxAbsLogit / 5)); // 0.05 at unit-gain logits (|z| <= 5), scaled for the trained model's larger ones
    console.log(`separate runs at n = 50: none ${r.separateRuns.none.longRunMs} ms (long) vs ${r.separateRuns.none.separateMs.median} ms (separate); ` +
      `full ${r.separateRuns.full.longRunMs} vs ${r.separateRuns.full.separateMs.median}; int8 max |Δlogit| ${r.int8Error!.maxAbs}`); // printed, never asserted
    expect(r.sweep.n).toEqual([10, 20, 50, 100]);
    expect(r.sweep.none.medianMs).toHaveLength(4);
    expect(r.sweep.full.medianMs).toHaveLength(4);
    expect(r.sameTokens).toBe(true);
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(r.date))).toBe(false);
    expect(new Set(r.strategies.map((s) => s.kind))).toContain("full");
  });

  it("loads with no console error and no network request", () => {
    ready();
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([]);
  });

  it("draws all five plots (Plotly's graph divs hold their traces and SVG)", () => {
    ready();
    expect(page.plotsDone).toBe("5");
    expect(page.plots.map((p) => p.id)).toEqual(["plot-time", "plot-loglog", "plot-speedup", "plot-strategies", "plot-positions"]);
    for (const p of page.plots) {
      expect(p.traces, p.id).toBeGreaterThan(0);
      expect(p.fullTraces, p.id).toBe(p.traces);
      expect(p.mainSvgs, p.id).toBeGreaterThan(0);
      expect(p.marks, p.id).toBeGreaterThan(0);
    }
    expect(page.plots.find((p) => p.id === "plot-time")!.traces).toBe(2); // with and without the cache
  });

  it("shows the summary and the explanation", () => {
    ready();
    expect(page.text).toMatch(/At 100 tokens the cache is [\d.,]+× faster/);
    expect(page.text).toMatch(/Long run against separate runs, at n = 50: the long runs' clock read/);
    expect(page.text).toMatch(/int8: max \|Δlogit\| vs full [\d.]+ over 100 steps/);
    for (const heading of ["Why the no-cache curve grows much faster", "Power laws", "The rate improvement", "Cache strategies", "Where the measurements depart from the model", "How this was measured"]) {
      expect(page.text).toContain(heading);
    }
  });

  it("rejects a bad command line with one line and exit status 2", () => {
    const r = spawnSync(process.execPath, ["dist/main.js", "--tokens", "2000"], { cwd: pkg, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("bench: 2000 tokens after a 3-token prompt need context_length >= 2003; got 1024. Use --context-length 2003 or a smaller largest --tokens.\n");
    const w = spawnSync(process.execPath, ["dist/main.js", "--prompt", "the cow"], { cwd: pkg, encoding: "utf8" });
    expect(w.status).toBe(2);
    expect(w.stderr).toMatch(/^bench: .*cow/);
  });
});
