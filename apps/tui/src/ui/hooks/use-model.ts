// The model and the settings it was built from. A change to any model setting rebuilds it (same seed
// unless the seed itself changed); a change that fails keeps the old model and returns the reason.
import type { TinyLM } from "@tinylm/model";
import { resolve } from "node:path";
import { useCallback, useState } from "react";
import { userCwd } from "../../commands/io.js";
import { type ModelFactory, settingsOfModel } from "../lib/model-factory.js";
import { type ModelSettings, modelSettingsOf } from "../lib/settings.js";

export interface ModelState {
  readonly model: TinyLM;
  readonly settings: ModelSettings;
  /** Rebuilds with `patch` applied; returns the new settings, or why it could not. */
  update(patch: Partial<ModelSettings>): { readonly settings: ModelSettings } | { readonly error: string };
}

const SHAPE_KEYS = ["contextLength", "positional", "nHeads"] as const;

export function useModel(initial: { readonly model: TinyLM; readonly settings: ModelSettings }, build: ModelFactory): ModelState {
  const [state, setState] = useState(() => ({ model: initial.model, settings: modelSettingsOf(initial.settings) }));

  const update = useCallback(
    (patch: Partial<ModelSettings>): { settings: ModelSettings } | { error: string } => {
      // a typed relative path is the user's: from the folder they started tinylm in
      const path = patch.weightsPath ? { weightsPath: resolve(userCwd(), patch.weightsPath) } : {};
      const next = { ...state.settings, ...patch, ...path };
      const fromFile = next.weightsPath !== null && patch.weightsPath === undefined;
      if (fromFile && SHAPE_KEYS.some((k) => patch[k] !== undefined && patch[k] !== state.settings[k])) {
        return { error: `settings: the weights file "${next.weightsPath}" fixes context length, positions and heads; clear "weights file" to use seeded weights you can reshape` };
      }
      try {
        const model = build(next);
        const settings = settingsOfModel(model, next);
        setState({ model, settings });
        return { settings };
      } catch (e) {
        return { error: (e as Error).message };
      }
    },
    [state, build],
  );

  return { model: state.model, settings: state.settings, update };
}
