// A full garbage collection on demand, run between timed generations (outside the clock) so that one run's
// garbage — the uncached runs allocate a lot — is not collected on the next run's time. Node exposes gc()
// only under --expose-gc; setting the flag at run time and fetching gc from a fresh context gives the same.
import v8 from "node:v8";
import vm from "node:vm";

let gc: (() => void) | null | undefined;

/** Collects garbage now if V8 lets us; returns whether it did. */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc") as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
  return gc !== null;
}
