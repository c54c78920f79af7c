// The machine a benchmark ran on, recorded next to the numbers (they mean little without it).
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

/** One level of the CPU's cache hierarchy, as Linux reports it for cpu0. */
export interface CpuCache {
  readonly level: number; // 1, 2, 3
  readonly type: string; // "Data", "Instruction", "Unified"
  readonly bytes: number;
}

export interface Machine {
  readonly cpu: string; // model name of the first logical CPU
  /** Family, model and widest x86 vector extension from /proc/cpuinfo ("family 25 model 1, AVX2"); "" where the OS does not say. A VM's model name often hides the generation. */
  readonly cpuId: string;
  readonly cores: number; // logical CPUs
  readonly memoryGiB: number;
  readonly platform: string; // "linux 6.1.0 x64"
  readonly node: string; // "v20.20.2"
  readonly v8: string;
  /** Data and unified caches seen by cpu0, smallest level first; [] where the OS does not say (non-Linux). */
  readonly caches: CpuCache[];
}

/** "32K" -> 32768, "1024K" -> 1048576, "32M" -> 33554432; NaN if unreadable. */
export function parseCacheSize(text: string): number {
  const m = /^\s*(\d+)\s*([KMG]?)\s*$/i.exec(text);
  if (!m) return NaN;
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * unit;
}

/** cpu0's data and unified caches from /sys (Linux); [] when that directory is missing. */
export function readCpuCaches(dir = "/sys/devices/system/cpu/cpu0/cache"): CpuCache[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((e) => /^index\d+$/.test(e));
  } catch {
    return [];
  }
  const caches: CpuCache[] = [];
  for (const e of entries) {
    try {
      const read = (f: string) => readFileSync(join(dir, e, f), "utf8").trim();
      const cache = { level: Number(read("level")), type: read("type"), bytes: parseCacheSize(read("size")) };
      if (cache.type !== "Instruction" && Number.isFinite(cache.bytes) && cache.level > 0) caches.push(cache);
    } catch {
      // an index without the files: skip it
    }
  }
  return caches.sort((a, b) => a.level - b.level);
}

/** The first processor's family, model and widest vector extension from /proc/cpuinfo's text; "" without them. */
export function parseCpuId(cpuinfo: string): string {
  const first = cpuinfo.split(/\n\s*\n/)[0] ?? "";
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(first)?.[1]?.trim();
  const family = field("cpu family"), model = field("model");
  if (family === undefined || model === undefined) return "";
  const flags = new Set((field("flags") ?? "").split(/\s+/));
  const vector = flags.has("avx512f") ? ", AVX-512" : flags.has("avx2") ? ", AVX2" : flags.has("avx") ? ", AVX" : "";
  return `family ${family} model ${model}${vector}`;
}

function readCpuId(): string {
  try {
    return parseCpuId(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return "";
  }
}

/** The CPU as reports print it: "AMD EPYC (family 25 model 1, AVX2)". */
export const cpuLabel = (m: Pick<Machine, "cpu" | "cpuId">): string => (m.cpuId ? `${m.cpu} (${m.cpuId})` : m.cpu);

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() || "unknown CPU",
    cpuId: readCpuId(),
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    caches: readCpuCaches(),
  };
}
