import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { AttentionView } from "./AttentionView.js";

describe("<AttentionView />", () => {
  it("draws one row of shaded cells per layer under the words, with each row's range and top word", () => {
    const snapshot = { queryPosition: 2, positions: [0, 1, 2], layers: [[0.7, 0.1, 0.2], [0.2, 0.2, 0.6]] };
    const { lastFrame } = render(<AttentionView snapshot={snapshot} tokens={["the", "cat", "sat", "on"]} nHeads={1} columns={100} />);
    const frame = lastFrame() ?? "";
    expect(frame).toContain(`Attention of "sat" (position 2) predicting "on"`);
    expect(frame).toContain("     the cat sat");
    expect(frame).toContain("L0   ███ ░░░ ▒▒▒  0.10–0.70 → the");
    expect(frame).toContain("L1   ░░░ ░░░ ███  0.20–0.60 → sat");
  });

  it("says what it will show before the first generation", () => {
    const { lastFrame } = render(<AttentionView snapshot={null} tokens={[]} nHeads={1} columns={100} />);
    expect(lastFrame()).toContain("with this view open, press Enter to generate");
  });

  it("names the averaging when there are several heads", () => {
    const snapshot = { queryPosition: 0, positions: [0], layers: [[1]] };
    const { lastFrame } = render(<AttentionView snapshot={snapshot} tokens={["a"]} nHeads={4} columns={100} />);
    expect(lastFrame()).toContain("mean of 4 heads");
  });
});
