// Generous per-test time: the exactness suites run O(n³) recompute loops, and CI machines are shared.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { testTimeout: 60_000 } });
