import { describe, expect, it } from "vitest";
import { generateSynthetic, SMALL_ITEMS } from "../../scripts/reference/synthetic.js";
import { analyzeFrame } from "../../src/analysis/analyze.js";
import { errorRateDifferences } from "../../src/analysis/differences.js";

const { frame } = generateSynthetic(SMALL_ITEMS);

describe("raw error-rate differences with a paired cluster bootstrap", () => {
  it("one row per model × belief group; estimate is the raw difference; seeded", () => {
    const a = errorRateDifferences(frame, { replicates: 300, seed: 5 });
    const b = errorRateDifferences(frame, { replicates: 300, seed: 5 });
    expect(a).toEqual(b);
    expect(a).toHaveLength(10);
    for (const d of a) {
      expect(d.differencePp).toBeCloseTo((d.treatmentErrorRate - d.referenceErrorRate) * 100, 10);
      expect(d.ciLowerPp).toBeLessThan(d.differencePp);
      expect(d.ciUpperPp).toBeGreaterThan(d.differencePp);
      expect(d.items).toBe(130);
    }
    // The generator's user-belief interaction makes the gap larger with a belief, for every model.
    for (const model of new Set(a.map((d) => d.model))) {
      const no = a.find((d) => d.model === model && d.beliefGroup === "no_belief")!;
      const yes = a.find((d) => d.model === model && d.beliefGroup === "user_belief")!;
      expect(yes.differencePp).toBeGreaterThan(no.differencePp - 5);
    }
  });
  it("is part of the full analysis and can be skipped", () => {
    const res = analyzeFrame(frame, { models: ["model4"], bootstrapReplicates: 0, cells: false });
    expect(res.comparisons[0]!.differences).toEqual([]);
    expect(res.comparisons[0]!.cells).toEqual([]);
  });
});
