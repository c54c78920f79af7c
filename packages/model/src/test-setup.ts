// Test set-up: lets V8 compile relaxed SIMD (as the CLI does), so the tests run the fused multiply-add
// build by default and can switch to the plain one with setFma(false).
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");
