import { describe, expect, it } from "vitest";
import {
  type ClusterCounts,
  clusteredDifference,
  designEffect,
  intraclassCorrelation,
} from "../../src/stats/clustered.js";
import { readFixture } from "../helpers/fixtures.js";

interface Scenario {
  name: string;
  clusters: ClusterCounts[];
  ols: {
    estimate: number;
    se: number;
    p: number;
    ciLower: number;
    ciUpper: number;
    naiveSe: number;
  };
  logitAme: { estimate: number; se: number };
  referenceIcc: { icc: number };
}
const fx = readFixture("stats/clustered.json") as { scenarios: Scenario[] };

describe("item-clustered difference of error rates (reference: scripts/reference/clustered_reference.py)", () => {
  for (const s of fx.scenarios) {
    it(`equals statsmodels OLS and Logit AME with cov_type='cluster': ${s.name}`, () => {
      const d = clusteredDifference(s.clusters);
      expect(d.estimate).toBeCloseTo(s.ols.estimate, 12);
      expect(d.se).toBeCloseTo(s.ols.se, 12);
      expect(d.p).toBeCloseTo(s.ols.p, 10);
      expect(d.ciLower).toBeCloseTo(s.ols.ciLower, 10);
      expect(d.ciUpper).toBeCloseTo(s.ols.ciUpper, 10);
      expect(d.naiveSe).toBeCloseTo(s.ols.naiveSe, 12);
      expect(d.estimate).toBeCloseTo(s.logitAme.estimate, 12);
      expect(d.se).toBeCloseTo(s.logitAme.se, 12);
    });
    it(`ANOVA intra-cluster correlation equals statsmodels anova_lm: ${s.name}`, () => {
      const ref = s.clusters.map((c) => ({ n: c.referenceN, events: c.referenceErrors }));
      expect(intraclassCorrelation(ref)).toBeCloseTo(s.referenceIcc.icc, 12);
    });
  }

  it("says nothing it cannot know: one arm empty, one cluster", () => {
    const none = clusteredDifference([
      { referenceN: 5, referenceErrors: 1, treatmentN: 0, treatmentErrors: 0 },
    ]);
    expect(none.estimate).toBeNull();
    expect(none.ciLower).toBeNull();
    const one = clusteredDifference([
      { referenceN: 5, referenceErrors: 1, treatmentN: 5, treatmentErrors: 3 },
    ]);
    expect(one.estimate).toBeCloseTo(0.4, 12);
    expect(one.se).toBeNull();
    expect(one.p).toBeNull();
    expect(intraclassCorrelation([{ n: 3, events: 1 }])).toBeNull();
  });

  it("design effect 1 + (m − 1)·ICC, negative ICC treated as none", () => {
    expect(designEffect(36, 0.1)).toBeCloseTo(4.5, 12);
    expect(designEffect(18, -0.05)).toBe(1);
    expect(() => designEffect(0, 0.1)).toThrow(/cluster size/);
    expect(() => designEffect(4, 1.5)).toThrow(/ICC/);
  });
});
