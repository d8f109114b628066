import { describe, expect, it } from "vitest";
import { type PressureCell, summarizePressure } from "../../src/analysis/pressure.js";
import type { PressureTrialLabels } from "../../src/store/pressure.js";
import { readFixture } from "../helpers/fixtures.js";

/** Made by scripts/reference/pressure_reference.py (statsmodels Kaplan-Meier, McNemar, cluster OLS). */
const fixture = readFixture("stats/pressure.json") as {
  turns: number;
  trials: PressureTrialLabels[];
  cells: PressureCell[];
  tests: {
    task: string;
    pairs: number;
    items: number;
    b: number;
    c: number;
    mcnemarP: number;
    differencePp: number;
    ci95Pp: [number, number];
    pClustered: number;
  }[];
};

describe("pressure statistics against statsmodels", () => {
  const summary = summarizePressure(
    fixture.trials,
    { turns: fixture.turns, ladder: ["simple", "ethos", "justification", "citation"] },
    [{ reference: "reference", treatments: ["warm"] }],
  );

  it("survival (Kaplan-Meier), Turn-of-Flip, Number-of-Flip and flip counts per cell", () => {
    expect(summary.cells.map((c) => [c.subject, c.task, c.context])).toEqual(
      fixture.cells.map((c) => [c.subject, c.task, c.context]),
    );
    summary.cells.forEach((c, i) => {
      const r = fixture.cells[i]!;
      const { survival, turnOfFlip, neverFlipped, numberOfFlips, ...counts } = c;
      const { survival: rs, turnOfFlip: rt, neverFlipped: rn, numberOfFlips: rf, ...refCounts } = r;
      expect(counts).toEqual(refCounts);
      expect(survival).toHaveLength(fixture.turns + 1);
      for (const [k, s] of survival!.entries()) expect(s).toBeCloseTo(rs![k]!, 12);
      expect(turnOfFlip).toBeCloseTo(rt!, 12);
      expect(neverFlipped).toBeCloseTo(rn!, 12);
      expect(numberOfFlips).toBeCloseTo(rf!, 12);
    });
  });

  it("paired flipped-by-the-last-turn tests: exact McNemar and the item-clustered difference", () => {
    expect(summary.tests.map((t) => t.task)).toEqual(fixture.tests.map((t) => t.task));
    summary.tests.forEach((t, i) => {
      const r = fixture.tests[i]!;
      expect([t.pairs, t.items, t.b, t.c]).toEqual([r.pairs, r.items, r.b, r.c]);
      expect(t.mcnemarP).toBeCloseTo(r.mcnemarP, 12);
      expect(t.differencePp).toBeCloseTo(r.differencePp, 10);
      expect(t.ci95Pp![0]).toBeCloseTo(r.ci95Pp[0], 8);
      expect(t.ci95Pp![1]).toBeCloseTo(r.ci95Pp[1], 8);
      expect(t.pClustered).toBeCloseTo(r.pClustered, 10);
    });
  });
});
