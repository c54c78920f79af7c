// Entry point of the interactive UI: builds the model from the command line's options (a bad weights
// file or config throws the library's typed error before anything is drawn), renders <App/> and
// resolves when the user quits. The CLI calls it only when stdin and stdout are terminals.
import type { Positional } from "@tinylm/model";
import { render } from "ink";
import { App } from "./App.js";
import { buildModel, settingsOfModel, warmUp } from "./lib/model-factory.js";
import { DEFAULT_SETTINGS, type Settings } from "./lib/settings.js";

export interface TuiOptions {
  readonly weightsPath?: string;
  readonly seed?: number;
  readonly contextLength?: number;
  readonly positional?: Positional;
  readonly nHeads?: number;
  /** Cache strategy of the first run (default "full"). */
  readonly cache?: string;
  readonly maxNewTokens?: number;
}

/** The UI's starting settings: the defaults with the command line's options on top. */
export function initialSettings(options: TuiOptions): Settings {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const { weightsPath, seed, ...rest } = defined as TuiOptions;
  return {
    ...DEFAULT_SETTINGS,
    ...rest,
    weightsPath: weightsPath ?? null,
    seed: seed ?? DEFAULT_SETTINGS.seed,
    samplingSeed: seed ?? DEFAULT_SETTINGS.samplingSeed,
  };
}

/** Renders the Ink app on the terminal and resolves when the user quits. */
export async function runTui(options: TuiOptions): Promise<void> {
  const wanted = initialSettings(options);
  const model = buildModel(wanted);
  const settings = { ...wanted, ...settingsOfModel(model, wanted) };
  warmUp(model);
  const instance = render(<App model={model} settings={settings} />, { exitOnCtrlC: false });
  await instance.waitUntilExit();
}
