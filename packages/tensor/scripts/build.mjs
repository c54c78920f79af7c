// `pnpm build` of @tinylm/tensor: the WebAssembly kernels (build-wasm.mjs, the slow part) and the
// TypeScript compile run side by side, as neither needs the other; fails if either fails.
import { spawn } from "node:child_process";

const run = (command, args) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", shell: process.platform === "win32" });
    child.on("error", (e) => {
      process.stderr.write(`build: could not run ${command} (${e.message})\n`);
      resolve(1);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const codes = await Promise.all([run(process.execPath, ["scripts/build-wasm.mjs"]), run("tsc", ["-p", "tsconfig.build.json"])]);
process.exit(codes.find((c) => c !== 0) ?? 0);
