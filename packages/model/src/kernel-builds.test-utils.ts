// The kernel builds a test can run here: the plain SIMD build always, the fused multiply-add (relaxed
// SIMD) build when this runtime compiles it. The test set-up runs the plain build, so asking for the other
// is how to learn whether it exists; the asking leaves the backend as it was.
import { backendInfo, setFma } from "@tinylm/tensor";

/** [false] or [false, true]: the values of setFma a test should run under. */
export function kernelBuilds(): boolean[] {
  const initial = backendInfo().fma;
  try {
    setFma(true);
    return [false, true];
  } catch {
    return [false];
  } finally {
    setFma(initial);
  }
}
