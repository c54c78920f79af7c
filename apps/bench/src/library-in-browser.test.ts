// The library runs where JavaScript runs: a page that imports @tinylm/model, bundled for the browser by
// esbuild (no Node built-ins may be reached), served over http on 127.0.0.1 (module scripts need http), is
// opened in headless Chromium and generates 50 tokens with `full` and with `none`; the ids must equal
// Node's. Needs Chromium (apt-get install -y chromium).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { generateSync, makeConfig, TinyLM } from "@tinylm/model";
import { afterAll, describe, expect, it } from "vitest";
import { openPage } from "./browser.js";

const SETUP = { config: { contextLength: 64, nHeads: 2 }, seed: 7, prompt: "the cat sat", tokens: 50 };

// The page: the same model and prompt as below, its results written into the body as JSON.
const PAGE = `
import { generate, makeConfig, TinyLM } from "@tinylm/model";
import { backendInfo } from "@tinylm/tensor";
const setup = ${JSON.stringify(SETUP)};
const model = TinyLM.init(makeConfig(setup.config), { seed: setup.seed, std: 0.3, perturb: 0.2 });
const result = { backend: backendInfo().name, reason: backendInfo().reason ?? null };
for (const cache of ["full", "none"]) result[cache] = (await generate(model, setup.prompt, { cache, maxNewTokens: setup.tokens })).ids;
document.body.textContent = JSON.stringify(result);
document.body.dataset.done = "yes";
`;

async function bundle(): Promise<string> {
  const r = await build({
    stdin: { contents: PAGE, resolveDir: import.meta.dirname, loader: "js" },
    bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent",
  });
  return r.outputFiles[0]!.text;
}

function serve(script: string): Promise<Server> {
  const html = `<!doctype html><html><head><title>tinylm</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script></head><body></body></html>`;
  const server = createServer((req, res) => {
    const js = req.url === "/page.js";
    res.writeHead(js || req.url === "/" ? 200 : 404, { "content-type": js ? "text/javascript" : "text/html" });
    res.end(js ? script : req.url === "/" ? html : "");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("the library in a browser", () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("bundles for the browser and generates Node's tokens with full and none", async () => {
    server = await serve(await bundle());
    const { port } = server.address() as AddressInfo;
    const page = await openPage(new URL(`http://127.0.0.1:${port}/`), { ready: "document.body.dataset.done ?? null", timeoutMs: 240_000 });
    expect(page.consoleErrors).toEqual([]);
    const got = JSON.parse(page.text) as { backend: string; reason: string | null; full: number[]; none: number[] };
    const model = TinyLM.init(makeConfig(SETUP.config), { seed: SETUP.seed, std: 0.3, perturb: 0.2 });
    const want = generateSync(model, SETUP.prompt, { cache: "full", maxNewTokens: SETUP.tokens }).ids;
    expect(want).toHaveLength(SETUP.tokens);
    expect(got.full).toEqual(want);
    expect(got.none).toEqual(want);
    expect(got).toMatchObject({ backend: "wasm", reason: null }); // the inlined kernels load in the page
  }, 300_000);
});
