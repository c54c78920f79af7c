// One cold generation as `tinylm generate --prompt "the cat sat" --max-new-tokens 50` runs it (the
// bundled trained model, the full cache, greedy), timed from inside a fresh process (cold-start.ts spawns
// it): when the process reached this module, then each phase after it, with the CPU time and the minor
// page faults (first touches of fresh memory) of each. The time to the first token is counted from the
// end of the import: the kernels, the model and the first token's prefill.
//   node dist/first-token.js [--weights file.safetensors]
import "./fma.js";

/** One phase: its name (see PHASES in cold-start.ts), wall ms, CPU ms (all threads), minor page faults. */
interface Phase {
  readonly name: string;
  readonly ms: number;
  readonly cpuMs: number;
  readonly faults: number;
}

const args = process.argv.slice(2);
const weights = args.includes("--weights") ? args[args.indexOf("--weights") + 1] : undefined;
let last = { t: performance.now(), cpu: process.cpuUsage(), faults: process.resourceUsage().minorPageFault };
const boot = last.t; // since the process started
const phases: Phase[] = [];
const mark = (name: string): number => {
  const now = { t: performance.now(), cpu: process.cpuUsage(), faults: process.resourceUsage().minorPageFault };
  const cpuMs = (now.cpu.user - last.cpu.user + now.cpu.system - last.cpu.system) / 1000;
  phases.push({ name, ms: now.t - last.t, cpuMs, faults: now.faults - last.faults });
  last = now;
  return now.t;
};

const { generateSync } = await import("@tinylm/model");
const { loadBundledModel, loadModel } = await import("@tinylm/model/node");
const { backendInfo } = await import("@tinylm/tensor");
const imported = mark("import");
backendInfo(); // the first use of the kernels: what model loading would otherwise start with
mark("kernels");
const model = weights ? loadModel(weights) : loadBundledModel();
mark("load");
let first = NaN;
generateSync(model, "the cat sat", {
  maxNewTokens: 50,
  cache: "full",
  onToken: () => {
    if (Number.isNaN(first)) first = mark("first");
  },
});
const end = mark("rest");
// boot: ms from the process's start to this module's first line; the token times count from the import's end
process.stdout.write(`${JSON.stringify({ boot, phases, firstTokenMs: first - imported, lastTokenMs: end - imported })}\n`);
