// `tinylm summary`: the parameter table (or --json) for the default config, the config flags, or a weights file.
import type { Command } from "commander";
import { summarize } from "@tinylm/model";
import { formatSummary, summaryToJson } from "./format-summary.js";
import { type Io, resolvePath } from "./io.js";
import { configFromFlags, loadOrInitModel } from "./model-source.js";
import { configOptions, givenConfigFlags, weightsOption, type ConfigFlags } from "./options.js";

export interface SummaryOptions extends ConfigFlags {
  readonly weights?: string;
  readonly json?: boolean;
}

/** Prints the summary of the model the options describe. */
export function runSummary(given: SummaryOptions, io: Io): void {
  const options = { ...given, weights: given.weights === undefined ? undefined : resolvePath(io, given.weights) };
  const config = options.weights !== undefined ? loadOrInitModel(options).config : configFromFlags(options);
  const summary = summarize(config);
  io.out(options.json ? `${JSON.stringify(summaryToJson(summary, config))}\n` : formatSummary(summary, config));
}

export function addSummaryCommand(program: Command, io: Io): Command {
  const command = program
    .command("summary")
    .description("print the model summary: parameters per module, per block and in total (105,172 at the defaults)");
  for (const option of configOptions()) command.addOption(option);
  return command
    .addOption(weightsOption("the config from the flags above"))
    .option("--json", "print one JSON object (config, groups, total) instead of the table", false)
    .action((options: { weights?: string; json: boolean }, cmd: Command) => {
      runSummary({ ...givenConfigFlags(cmd), weights: options.weights, json: options.json }, io);
    });
}
