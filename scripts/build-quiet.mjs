// Builds a workspace package and what it depends on (turbo, cached), silently when it succeeds, so that
// `pnpm start`, `pnpm tinylm …` and `pnpm bench` show only the program's own output. On failure it prints
// turbo's whole log and exits with its status.
//   node scripts/build-quiet.mjs @tinylm/tui
import { spawnSync } from "node:child_process";

const target = process.argv[2];
if (!target) {
  process.stderr.write("usage: node scripts/build-quiet.mjs <package name>\n");
  process.exit(2);
}
const run = spawnSync("turbo", ["run", "build", `--filter=${target}...`, "--output-logs=errors-only"], {
  encoding: "utf8",
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" },
  shell: process.platform === "win32",
});
if (run.error) {
  process.stderr.write(`build: could not run turbo (${run.error.message}); run "pnpm install" first.\n`);
  process.exit(1);
}
if (run.status !== 0) {
  process.stderr.write(run.stdout + run.stderr);
  process.stderr.write(`build of ${target} failed (turbo exited ${run.status}); see above.\n`);
  process.exit(run.status ?? 1);
}
