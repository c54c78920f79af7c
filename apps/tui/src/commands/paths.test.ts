// Relative paths in flags are the user's: resolved against the directory tinylm was run from (under
// `pnpm tinylm`, pnpm's INIT_CWD), and messages name the absolute path.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runGenerate } from "./generate.js";
import { runInit } from "./init.js";
import { memoryIo, userCwd } from "./io.js";
import { main } from "./program.js";

const noTui = { launchTui: async () => {} };

describe("relative paths", () => {
  it("are resolved against the directory the user ran tinylm from, and the absolute path is printed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-paths-"));
    const sub = join(dir, "sub");
    mkdirSync(sub);
    const io = memoryIo({ cwd: sub });
    runInit({ out: "m.safetensors", seed: 2 }, io);
    expect(existsSync(join(sub, "m.safetensors"))).toBe(true);
    expect(io.stdout()).toMatch(new RegExp(`^wrote ${join(sub, "m.safetensors").replace(/[.]/g, "\\.")} \\(`));
    writeFileSync(join(sub, "prompt.txt"), "the cat sat");
    const gen = memoryIo({ cwd: sub });
    runGenerate({ promptFile: "prompt.txt", weights: "m.safetensors", json: true, maxNewTokens: 2 }, gen);
    expect(JSON.parse(gen.stdout())).toMatchObject({ weights: join(sub, "m.safetensors"), prompt_ids: [0, 1, 3] });
    const summary = memoryIo({ cwd: sub });
    expect(await main(["summary", "--weights", "m.safetensors", "--json"], summary, noTui)).toBe(0);
    const missing = memoryIo({ cwd: sub });
    expect(await main(["generate", "--prompt-file", "nope.txt"], missing, noTui)).toBe(2);
    expect(missing.stderr()).toContain(join(sub, "nope.txt"));
  });

  it("come from INIT_CWD only when tinylm runs as the repository's own `tinylm` or `start` script", () => {
    expect(userCwd({ INIT_CWD: "/home/u/proj/docs", npm_lifecycle_event: "tinylm" }, "/home/u/proj")).toBe("/home/u/proj/docs");
    expect(userCwd({ INIT_CWD: "/home/u/proj/docs", npm_lifecycle_event: "start" }, "/home/u/proj")).toBe("/home/u/proj/docs");
    expect(userCwd({ INIT_CWD: "/home/u/proj", npm_lifecycle_event: "test" }, "/tmp/t")).toBe("/tmp/t"); // a test spawning tinylm
    expect(userCwd({}, "/tmp/t")).toBe("/tmp/t");
  });
});
