// The machine a benchmark ran on, recorded next to the numbers (they mean little without it).
import os from "node:os";

export interface Machine {
  readonly cpu: string; // model name of the first logical CPU
  readonly cores: number; // logical CPUs
  readonly memoryGiB: number;
  readonly platform: string; // "linux 6.1.0 x64"
  readonly node: string; // "v20.20.2"
  readonly v8: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() || "unknown CPU",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}
