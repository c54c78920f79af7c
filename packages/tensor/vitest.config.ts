import { defineConfig } from "vitest/config";

// CI runs on a shared 2-core machine that may be busy: the four packages' suites run in parallel there, and
// work that takes 1 s alone can take 5 s. Timeouts leave that margin; no test asserts on time.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000, setupFiles: ["./src/test-setup.ts"] },
});
