import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCacheSize, readCpuCaches } from "./machine.js";

describe("the CPU's cache sizes", () => {
  it("parses Linux's size strings", () => {
    expect(parseCacheSize("32K")).toBe(32 * 1024);
    expect(parseCacheSize("1024K\n")).toBe(1024 ** 2);
    expect(parseCacheSize("32M")).toBe(32 * 1024 ** 2);
    expect(parseCacheSize("512")).toBe(512);
    expect(parseCacheSize("big")).toBeNaN();
  });

  it("reads cpu0's data and unified caches from a /sys-like folder, smallest level first, instruction caches left out", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinylm-cpu-cache-"));
    const index = (name: string, level: number, type: string, size: string) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "level"), `${level}\n`);
      writeFileSync(join(dir, name, "type"), `${type}\n`);
      writeFileSync(join(dir, name, "size"), `${size}\n`);
    };
    index("index3", 3, "Unified", "32768K");
    index("index0", 1, "Data", "32K");
    index("index1", 1, "Instruction", "32K");
    index("index2", 2, "Unified", "1024K");
    mkdirSync(join(dir, "index4")); // no files: skipped
    expect(readCpuCaches(dir)).toEqual([
      { level: 1, type: "Data", bytes: 32 * 1024 },
      { level: 2, type: "Unified", bytes: 1024 ** 2 },
      { level: 3, type: "Unified", bytes: 32 * 1024 ** 2 },
    ]);
  });

  it("gives [] where the folder does not exist (not Linux)", () => {
    expect(readCpuCaches(join(tmpdir(), "no-such-folder-tinylm"))).toEqual([]);
  });
});
