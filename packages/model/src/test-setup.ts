// Test set-up: lets V8 compile relaxed SIMD (as the CLI does), so both kernel builds can load. The model's
// tests run the plain build, whose float32 rounding their tolerances were set against (e.g. a sliding-window
// cache against a banded recompute: two summation orders, ~1e-5 apart); threads-fma.test.ts switches
// between the builds and proves each exact within itself and within 1e-5 of the JS kernels.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");
const { setFma } = await import("@tinylm/tensor");
setFma(false);
