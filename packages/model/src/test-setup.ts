// Test set-up: lets V8 compile relaxed SIMD (as the CLI does), so both kernel builds can load. The model's
// tests run the plain build, whose float32 rounding their tolerances were set against (e.g. a sliding-window
// cache against a banded recompute: two summation orders, ~1e-5 apart), on one thread: vitest already runs
// a test file per core, so worker threads would only oversubscribe the cores. threads-fma.test.ts switches
// between the builds and thread counts and proves each build exact within itself, the same bits on 1 and 2
// threads, and within 1e-5 of the JS kernels.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");
const { setFma, setThreads } = await import("@tinylm/tensor");
setFma(false);
setThreads(1);
