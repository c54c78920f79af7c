// Test set-up: lets V8 compile relaxed SIMD (as the CLI does), so the tests run the fused multiply-add
// build by default and can switch to the plain one with setFma(false). One thread by default (vitest
// already runs a test file per core); threads.test.ts turns the pool on and off itself.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");
const { setThreads } = await import("./index.js");
setThreads(1);
