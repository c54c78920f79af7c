// End to end, without timing anything: `pnpm bench --from results.json --out DIR` from the repository root
// (the pnpm of the root's packageManager field through npx; --offline first, so no network request when it
// is in npx's cache) renders a small report made for the test: the root package.json's "bench" script
// builds the bench through turbo (build-quiet.mjs), then dist/main.js writes the page. The page is opened
// in headless Chromium and inspected once it says its plots are drawn (a condition, not a clock): no
// console error, no network request, every plot drawn. Chromium is required (apt-get install -y chromium).
// A tiny real measurement (n = 2 and 4) checks the measuring path writes what the report reads.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { openPage, type PageReport } from "./browser.js";
import type { BenchResults } from "./results.js";
import { syntheticResults } from "./synthetic.test-utils.js";

const pkg = dirname(dirname(fileURLToPath(import.meta.url))); // apps/bench
const root = dirname(dirname(pkg));
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { packageManager: string; scripts: Record<string, string> };
const benchScript = rootPackage.scripts.bench!;
const out = mkdtempSync(join(tmpdir(), "tinylm-bench-e2e-"));
const input = join(out, "input.json");
let run: { status: number | null; stdout: string; stderr: string };
let page: PageReport;
let setupError: unknown; // reported by every test below (a failed beforeAll would only mark them skipped)

const NOISY = syntheticResults({ spread: 1.5 }); // repeats 50% apart: the page must say so at the top

beforeAll(async () => {
  try {
    writeFileSync(input, JSON.stringify(NOISY));
    const pnpm = (offline: boolean) => spawnSync("npx", ["-y", ...(offline ? ["--offline"] : []), rootPackage.packageManager, "bench", "--from", input, "--out", out], { cwd: root, encoding: "utf8", shell: process.platform === "win32" });
    let r = pnpm(true); // "pnpm@12.4.2" from npx's cache
    if (r.status !== 0 && !r.stderr.includes(benchScript)) r = pnpm(false); // not cached (pnpm installed globally instead): fetch it
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    if (run.status !== 0) throw new Error(`bench --from exited ${run.status}:\n${run.stderr}`);
    page = await openPage(join(out, "index.html"), { timeoutMs: 600_000 });
  } catch (e) {
    setupError = e;
  }
}, 900_000);

/** Fails the calling test with the setup's error, if there was one. */
function ready(): void {
  if (setupError) throw setupError;
}

describe("pnpm bench --from a small report made for the test, opened in headless Chromium", () => {
  it("ran the root package.json's bench script: build-quiet, then the bench's dist/main.js", () => {
    expect(benchScript).toBe("node scripts/build-quiet.mjs @tinylm/bench && node apps/bench/dist/main.js");
    ready();
    expect(run.stderr.split("\n")[0]).toBe(`$ ${benchScript} --from ${input} --out ${out}`); // pnpm echoes the script it runs
  });

  it("writes index.html and results.json and prints the summary line", () => {
    ready();
    expect(existsSync(join(out, "index.html"))).toBe(true);
    expect(run.stdout).toMatch(/^At 40 tokens the cache was [\d.,]+× to [\d.,]+× faster \(repeats disagreed; /);
    expect(run.stdout).toContain(`report:  ${join(out, "index.html")}`);
    const written = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as BenchResults & { analysis: unknown };
    expect({ ...written, analysis: undefined }).toEqual({ ...JSON.parse(JSON.stringify(NOISY)), analysis: undefined });
    expect(written.analysis).toBeTypeOf("object");
  });

  it("loads with no console error and no network request", () => {
    ready();
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([]);
  });

  it("draws all eleven plots (Plotly's graph divs hold their traces and SVG)", () => {
    ready();
    expect(page.plotsDone).toBe("11");
    expect(page.plots.map((p) => p.id)).toEqual([
      "plot-triangle", "plot-time", "plot-loglog", "plot-speedup", "plot-strategies", "plot-positions", "plot-quality-memory", "plot-loss-position", "plot-far-dependency", "plot-attention-mass", "plot-speculative",
    ]);
    for (const p of page.plots) {
      expect(p.traces, p.id).toBeGreaterThan(0);
      expect(p.fullTraces, p.id).toBe(p.traces);
      expect(p.mainSvgs, p.id).toBeGreaterThan(0);
      expect(p.marks, p.id).toBeGreaterThan(0);
    }
    expect(page.plots.find((p) => p.id === "plot-time")!.traces).toBe(2); // with and without the cache
  });

  it("says at the top, in words, that the machine was noisy, and shows the explanation", () => {
    ready();
    expect(page.text).toMatch(/At 40 tokens the cache was [\d.,]+× to [\d.,]+× faster/);
    expect(page.text).toContain("This machine was noisy during the run.");
    expect(page.text.indexOf("This machine was noisy")).toBeLessThan(page.text.indexOf("What a step recomputes"));
    expect(page.text).toMatch(/int8: max \|Δlogit\| vs full [\d.]+ over 40 steps/);
    for (const heading of ["What a step recomputes: the walk-through", "Why the no-cache curve grows much faster", "Power laws", "The rate improvement", "Cache strategies", "Where the measurements depart from the model", "The far dependency: which strategies keep the topic", "Speculative decoding: a draft proposes, the target verifies", "How this was measured"]) {
      expect(page.text).toContain(heading);
    }
  });
});

describe("a tiny real measurement", () => {
  it("writes results.json with every series the report reads", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-bench-tiny-"));
    const r = spawnSync(process.execPath, ["dist/main.js", "--tokens", "2,4", "--strategy-lengths", "4", "--repeats", "2", "--skip-quality", "--speculative-tokens", "8", "--speculative-rounds", "2", "--out", dir], { cwd: pkg, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as BenchResults;
    expect(res.schema).toBe("tinylm-bench/2");
    expect(res.sweep.n).toEqual([2, 4]);
    expect(res.sweep.none.samplesMs).toHaveLength(2);
    expect(res.sameTokens).toBe(true);
    expect(res.separateRuns.none.sameTokens).toBe(true);
    expect(new Set(res.strategies.map((s) => s.kind))).toEqual(new Set(["none", "full", "paged", "sliding-window", "sinks", "int8"]));
    expect(res.machine.node).toBe(process.version);
    const spec = res.speculative!;
    expect([spec.target, spec.draft, spec.tokens, spec.rounds]).toEqual(["long", "draft", 8, 2]);
    expect(spec.points.map((p) => p.k)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const p of spec.points) expect([p.sameTokens, p.ms.length, p.plainMs.length]).toEqual([true, 2, 2]); // greedy speculation reproduced the plain tokens
  }, 600_000);

  it("rejects a bad command line with one line and exit status 2", () => {
    const r = spawnSync(process.execPath, ["dist/main.js", "--tokens", "2000"], { cwd: pkg, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("bench: 2000 tokens after a 3-token prompt need context_length >= 2003; got 1024. Use --context-length 2003 or a smaller largest --tokens.\n");
    const w = spawnSync(process.execPath, ["dist/main.js", "--prompt", "the cow"], { cwd: pkg, encoding: "utf8" });
    expect(w.status).toBe(2);
    expect(w.stderr).toMatch(/^bench: .*cow/);
    const s = spawnSync(process.execPath, ["dist/main.js", "--speculative-tokens", "5000"], { cwd: pkg, encoding: "utf8" });
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/^bench: --speculative-tokens 5000 after a 3-token prompt need context_length >= 5003; the long model has \d+\. Use --speculative-tokens \d+ or fewer\.\n$/);
  }, 600_000);
});
