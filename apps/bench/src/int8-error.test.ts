import { makeConfig, TinyLM } from "@tinylm/model";
import { describe, expect, it } from "vitest";
import { logitErrorNote } from "./explain.js";
import { logitError } from "./int8-error.js";
import { buildReport } from "./report.js";
import { syntheticResults } from "./synthetic.test-utils.js";

// the bench's own model, smaller: seeded weights at their default scale
const model = TinyLM.init(makeConfig({ contextLength: 64 }), { seed: 0 });

describe("logitError: int8 against full, teacher-forced on full's tokens", () => {
  const e = logitError(model, "the cat sat", "int8", 40);

  it("is small but not zero at the default seeded weights", () => {
    expect(e.kind).toBe("int8");
    expect(e.steps).toBe(40);
    expect(e.maxAbs).toBeGreaterThan(0); // quantized, not secretly exact
    expect(e.maxAbs).toBeLessThan(0.05); // the model package's tolerance for int8 against full
    expect(e.rms).toBeGreaterThan(0);
    expect(e.rms).toBeLessThanOrEqual(e.maxAbs);
    expect(e.maxAbsLogit).toBeGreaterThan(e.maxAbs);
  });

  it("is exactly zero for an exact cache (the comparison feeds both the same tokens)", () => {
    const exact = logitError(model, "the cat sat", "paged", 40);
    expect(exact.maxAbs).toBe(0);
  });

  it("appears in the report: the strategies prose and the note under the table", () => {
    const base = syntheticResults({ int8Error: e });
    const int8Point = { ...base.strategies.find((s) => s.kind === "full" && s.length === 40)!, kind: "int8" };
    const html = buildReport({ ...base, strategies: [...base.strategies, int8Point] }, "/* plotly stub */");
    const note = logitErrorNote(e);
    expect(note).toMatch(/^max \|Δlogit\| vs full 0\.0\d+ over 40 steps$/);
    expect(html).toContain(`<b>int8</b> stores K and V rows quantized`);
    expect(html).toContain(`${note} (teacher-forced on full's tokens`);
    expect(html).toContain(`<p class="note">int8: ${note}, teacher-forced on full's tokens.</p>`);
  });
});
