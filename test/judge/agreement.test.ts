import { describe, expect, it } from "vitest";
import { agreementOf, kappaFromTable } from "../../src/judge/agreement.js";
import { readFixture } from "../helpers/fixtures.js";

interface Case {
  table: number[][];
  kappa: number;
  se: number;
  se0: number;
  lower: number;
  upper: number;
}
const fixture = readFixture("judge/kappa.json") as { cases: Case[] };

describe("Cohen's kappa (vs statsmodels, scripts/reference/kappa_reference.py)", () => {
  for (const c of fixture.cases) {
    it(`matches for ${JSON.stringify(c.table)}`, () => {
      const k = kappaFromTable(c.table);
      expect(k.kappa).toBeCloseTo(c.kappa, 12);
      expect(k.kappaSe).toBeCloseTo(c.se, 12);
      expect(k.kappaSe0).toBeCloseTo(c.se0, 12);
      // statsmodels' Wald bounds, clipped to kappa's range [-1, 1] as candor reports them.
      expect(k.kappaCi95[0]).toBeCloseTo(Math.max(-1, c.lower), 9);
      expect(k.kappaCi95[1]).toBeCloseTo(Math.min(1, c.upper), 9);
      expect(k.kappaCi95[0]).toBeGreaterThanOrEqual(-1);
      expect(k.kappaCi95[1]).toBeLessThanOrEqual(1);
    });
  }

  it("clips the interval to [-1, 1] where the Wald interval leaves it", () => {
    const high = fixture.cases.find((c) => c.upper > 1)!;
    const low = fixture.cases.find((c) => c.lower < -1)!;
    expect(kappaFromTable(high.table).kappaCi95[1]).toBe(1);
    expect(kappaFromTable(low.table).kappaCi95[0]).toBe(-1);
  });

  it("builds the confusion matrix and per-class scores from pairs", () => {
    const pairs = [
      ...Array.from({ length: 40 }, () => ({ a: "CORRECT", b: "CORRECT" })),
      ...Array.from({ length: 5 }, () => ({ a: "CORRECT", b: "INCORRECT" })),
      ...Array.from({ length: 8 }, () => ({ a: "INCORRECT", b: "CORRECT" })),
      ...Array.from({ length: 47 }, () => ({ a: "INCORRECT", b: "INCORRECT" })),
    ];
    const a = agreementOf(pairs);
    expect(a.confusion).toEqual([
      [40, 5],
      [8, 47],
    ]);
    expect(a.agreement).toBeCloseTo(0.87, 12);
    expect(a.kappa).toBeCloseTo(fixture.cases[0]!.kappa, 12);
    expect(a.perClass[0]).toMatchObject({
      label: "CORRECT",
      precision: 40 / 45,
      recall: 40 / 48,
      supportB: 48,
    });
  });
});
