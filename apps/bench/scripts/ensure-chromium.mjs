// Part of `pnpm test`: the bench's end-to-end test opens the report in headless Chromium (Debian's
// package). When no Chromium is found, install it if this machine can (root or passwordless sudo, and
// apt-get); otherwise say how, and let the browser tests fail with that same message. Never fails itself:
// the rest of the tests still run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const has = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
const found = process.env.CHROMIUM_PATH ? existsSync(process.env.CHROMIUM_PATH) : ["chromium", "chromium-browser", "google-chrome"].some(has);
if (found) process.exit(0);

const root = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = !root && has("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
if (!has("apt-get") || (!root && !sudo)) {
  console.error("bench tests: Chromium not found, and this machine cannot install it unattended. The report's browser");
  console.error("test needs it: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH.");
  process.exit(0);
}

console.error("bench tests: installing Debian's chromium (the report's browser test opens it headless)…");
const prefix = sudo ? "sudo -n " : "";
const r = spawnSync("sh", ["-c", `${prefix}apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${prefix}apt-get install -y -qq chromium >/dev/null`], { stdio: "inherit" });
if (r.status !== 0) console.error(`bench tests: installing chromium failed (exit ${r.status}); install it by hand or set CHROMIUM_PATH.`);
