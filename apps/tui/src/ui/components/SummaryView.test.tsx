import { makeConfig } from "@tinylm/model";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { SummaryView } from "./SummaryView.js";

describe("<SummaryView />", () => {
  it("lists the modules with their shapes and parameters, and the total of 105,172", () => {
    const { lastFrame } = render(<SummaryView config={makeConfig()} source="seeded weights (seed 0)" columns={100} />);
    const frame = lastFrame() ?? "";
    expect(frame).toMatch(/tok_emb\s+Embedding\s+20×64\s+1,280/);
    expect(frame).toMatch(/pos_emb\s+Embedding\s+32×64\s+2,048/);
    expect(frame).toMatch(/attn\.q\s+Linear\s+64×64 \+ 64\s+4,160/);
    expect(frame).toMatch(/blocks\.2\s+Block\s+same as blocks\.0\s+33,472/);
    expect(frame).toMatch(/total\s+105,172/);
    expect(frame).toContain("params size 0.42 MB (float32)");
  });

  it("follows the config: sinusoidal positions have no table, more heads change nothing", () => {
    const { lastFrame } = render(<SummaryView config={makeConfig({ positional: "sinusoidal", nHeads: 4 })} source="x" columns={100} />);
    expect(lastFrame()).not.toContain("pos_emb");
    expect(lastFrame()).toMatch(/total\s+103,124/); // 105,172 - 32 × 64
    expect(lastFrame()).toContain("4 heads");
  });

  it("drops the type and shape columns when narrow", () => {
    const { lastFrame } = render(<SummaryView config={makeConfig()} source="x" columns={40} />);
    expect(lastFrame()).not.toContain("Embedding");
    expect(lastFrame()).toMatch(/total\s+105,172/);
    for (const line of (lastFrame() ?? "").split("\n")) expect([...line].length).toBeLessThanOrEqual(40);
  });
});
