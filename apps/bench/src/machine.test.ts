import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCacheSize, parseCpuId, readCpuCaches } from "./machine.js";

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

describe("the CPU's family and model", () => {
  const cpu = (flags: string) => `processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu ${flags} sse2\n`;

  it("reads the first processor's family, model and widest vector extension", () => {
    expect(parseCpuId(cpu("avx avx2 fma"))).toBe("family 25 model 1, AVX2");
    expect(parseCpuId(cpu("avx avx2 avx512f"))).toBe("family 25 model 1, AVX-512");
    expect(parseCpuId(cpu("sse4_2"))).toBe("family 25 model 1");
    expect(parseCpuId(`${cpu("avx2")}\nprocessor\t: 1\ncpu family\t: 6\nmodel\t\t: 85\nflags\t\t: avx512f\n`)).toBe("family 25 model 1, AVX2");
  });

  it("gives \"\" where the text has no family or model (not x86 Linux)", () => {
    expect(parseCpuId("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n")).toBe("");
    expect(parseCpuId("")).toBe("");
  });
});
