import { describe, expect, it } from "vitest";
import { clusteredMean } from "../../src/stats/clustered-mean.js";
import { readFixture } from "../helpers/fixtures.js";

const fixture = readFixture("stats/clustered-mean.json") as {
  cases: {
    values: number[];
    clusters: number[];
    mean: number;
    se: number;
    ci95: [number, number];
  }[];
};

describe("clusteredMean (vs statsmodels OLS cov_type=cluster)", () => {
  for (const [k, c] of fixture.cases.entries()) {
    it(`case ${k}: ${c.values.length} values in ${new Set(c.clusters).size} clusters`, () => {
      const r = clusteredMean(c.values, c.clusters)!;
      expect(r.mean).toBeCloseTo(c.mean, 12);
      expect(r.se).toBeCloseTo(c.se, 12);
      expect(r.ci[0]).toBeCloseTo(c.ci95[0], 10);
      expect(r.ci[1]).toBeCloseTo(c.ci95[1], 10);
    });
  }

  it("has no interval with one cluster or no values", () => {
    expect(clusteredMean([1, 2, 3], ["a", "a", "a"])).toBeNull();
    expect(clusteredMean([], [])).toBeNull();
  });
});
