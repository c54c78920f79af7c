#!/usr/bin/env node
// The `tinylm` executable: connects the process (streams, terminals, TINYLM_DEBUG, exit status) to main().
// The Ink UI is imported only when it is about to run, so scripts never load React.
import "./fma.js"; // first: before the kernels compile
import { processIo } from "./commands/io.js";
import { main } from "./commands/program.js";

// `tinylm generate --json | head -c 20`: a closed pipe ends the output, it is not an error. Any other
// failure to write (`> /dev/full`: ENOSPC) is one line on stderr and exit status 1, like other Unix tools.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  process.stderr.write(`tinylm: cannot write to standard output (${e.code ?? e.message}); is the disk full or the output closed?\n`);
  process.exit(1);
});

// no top-level await: the bundle (scripts/bundle.mjs) is a CommonJS script
void main(process.argv.slice(2), processIo(), {
  debug: process.env["TINYLM_DEBUG"] === "1",
  launchTui: async (options) => {
    const { runTui } = await import("./ui/run.js");
    await runTui(options);
  },
}).then((code) => {
  process.exitCode = code;
});
