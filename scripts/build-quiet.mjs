// Builds a workspace package and what it depends on (turbo, cached), silently when it succeeds, so that
// `pnpm start`, `pnpm tinylm …` and `pnpm bench` show only the program's own output. When the build is not
// already cached (the first run on a fresh clone, or after the sources changed) it takes a while, so after
// a moment it says so on stderr, and erases the note when done. On failure it prints turbo's whole log and
// exits with its status.
//   node scripts/build-quiet.mjs @tinylm/tui
import { spawn } from "node:child_process";

const target = process.argv[2];
if (!target) {
  process.stderr.write("usage: node scripts/build-quiet.mjs <package name>\n");
  process.exit(2);
}

// A cached build (nothing changed) finishes well within this; a real one takes seconds.
const NOTE_AFTER_MS = 800;
// The uncached build of the TUI on an idle 2-core machine (`time node scripts/build-quiet.mjs @tinylm/tui`
// on a fresh clone): 7–8 s; more when the machine is busy.
const NOTE = "tinylm: building once (first run, or the sources changed; about 10 s, longer on a busy machine)…";

const child = spawn("turbo", ["run", "build", `--filter=${target}...`, "--output-logs=errors-only"], {
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" },
  shell: process.platform === "win32",
});
let log = "";
child.stdout.on("data", (chunk) => (log += chunk));
child.stderr.on("data", (chunk) => (log += chunk));

const tty = process.stderr.isTTY === true;
let noted = false;
const timer = setTimeout(() => {
  noted = true;
  process.stderr.write(tty ? NOTE : `${NOTE}\n`);
}, NOTE_AFTER_MS);

child.on("error", (error) => {
  clearTimeout(timer);
  if (noted && tty) process.stderr.write("\r\x1b[K");
  process.stderr.write(`build: could not run turbo (${error.message}); run "pnpm install" first.\n`);
  process.exit(1);
});
child.on("close", (code, signal) => {
  clearTimeout(timer);
  if (noted && tty) process.stderr.write("\r\x1b[K"); // the program starts on a clean line
  if (code === 0) return;
  if (noted && !tty) process.stderr.write("\n");
  process.stderr.write(log);
  process.stderr.write(`build of ${target} failed (turbo exited ${code ?? signal}); see above.\n`);
  process.exit(code ?? 1);
});
