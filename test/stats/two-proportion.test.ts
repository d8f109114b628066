import { describe, expect, it } from "vitest";
import { twoProportionZTest } from "../../src/stats/two-proportion.js";
import { readFixture } from "../helpers/fixtures.js";

interface Case {
  x1: number;
  n1: number;
  x2: number;
  n2: number;
  z: number;
  p_two_sided: number;
  p_smaller: number;
  p_larger: number;
}
const fixture = readFixture("stats/two-proportion.json") as { cases: Case[] };

describe("two-proportion z-test (vs statsmodels, scripts/reference/two_proportion_reference.py)", () => {
  for (const c of fixture.cases) {
    it(`matches for ${c.x1}/${c.n1} vs ${c.x2}/${c.n2}`, () => {
      for (const [alt, p] of [
        ["two-sided", c.p_two_sided],
        ["smaller", c.p_smaller],
        ["larger", c.p_larger],
      ] as const) {
        const r = twoProportionZTest(c.x1, c.n1, c.x2, c.n2, alt);
        expect(r.z).toBeCloseTo(c.z, 12);
        expect(r.p).toBeCloseTo(p, 12);
      }
    });
  }

  it("has nothing to test without variation or observations", () => {
    expect(twoProportionZTest(10, 10, 5, 5)).toEqual({ z: null, p: null });
    expect(twoProportionZTest(0, 0, 5, 5)).toEqual({ z: null, p: null });
  });
});
