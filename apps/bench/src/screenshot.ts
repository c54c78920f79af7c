#!/usr/bin/env node
// node apps/bench/dist/screenshot.js REPORT.html OUT.png [WIDTH]: opens a report in headless Chromium and
// saves a full-page PNG (how docs/bench-report.png is made). Refuses a page with console errors, network
// requests or plots that did not draw, so a broken report never becomes the README's picture.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { BrowserError, openPage } from "./browser.js";

async function main(args: readonly string[]): Promise<number> {
  const [html, png, width = "1280"] = args;
  if (!html || !png || !/^\d+$/.test(width)) {
    process.stderr.write("usage: node apps/bench/dist/screenshot.js REPORT.html OUT.png [WIDTH]\n");
    return 2;
  }
  const page = await openPage(resolve(html), { screenshot: true, width: Number(width) });
  const problems = [...page.consoleErrors, ...page.requests.map((u) => `request: ${u}`)];
  if (page.plotsDone !== String(page.plots.length) || page.plots.length === 0) problems.push(`plots drawn: ${page.plotsDone ?? "none"} of ${page.plots.length}`);
  if (problems.length > 0) {
    process.stderr.write(`screenshot: the page has problems, no picture written:\n  ${problems.join("\n  ")}\n`);
    return 1;
  }
  writeFileSync(png, page.screenshot!);
  process.stdout.write(`screenshot: ${png} (${page.plots.length} plots, ${page.screenshot!.length} bytes)\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (!(e instanceof BrowserError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  },
);
