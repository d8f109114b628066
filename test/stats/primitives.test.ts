import { describe, expect, it } from "vitest";
import { z } from "zod";
import { binomialHalfCdf } from "../../src/stats/binomial.js";
import { benjaminiHochberg } from "../../src/stats/fdr.js";
import { mcnemarExact, pairCounts, studyGLabel } from "../../src/stats/mcnemar.js";
import { normalCdf, normalQuantile, normalSf, twoSidedP } from "../../src/stats/normal.js";
import { wilsonInterval } from "../../src/stats/wilson.js";
import { readFixture } from "../helpers/fixtures.js";

const fixture = z
  .object({
    mcnemar: z.array(z.object({ b: z.number(), c: z.number(), p: z.number().nullable() })),
    fdr: z.object({
      p: z.array(z.number()),
      adjusted: z.array(z.number()),
      rejected: z.array(z.boolean()),
    }),
    wilson: z.array(
      z.object({
        k: z.number(),
        n: z.number(),
        level: z.number(),
        lower: z.number(),
        upper: z.number(),
      }),
    ),
    normalCdf: z.array(z.object({ x: z.number(), cdf: z.number(), sf: z.number() })),
    normalQuantile: z.array(z.object({ p: z.number(), q: z.number() })),
  })
  .parse(readFixture("stats/primitives.json"));

const rel = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));

describe("normal distribution (vs scipy)", () => {
  it("cdf and survival function keep relative precision in both tails", () => {
    for (const { x, cdf, sf } of fixture.normalCdf) {
      expect(rel(normalCdf(x), cdf)).toBeLessThan(1e-13);
      expect(rel(normalSf(x), sf)).toBeLessThan(1e-13);
    }
    expect(twoSidedP(-1.959963984540054)).toBeCloseTo(0.05, 14);
  });
  it("quantile", () => {
    for (const { p, q } of fixture.normalQuantile)
      expect(rel(normalQuantile(p), q)).toBeLessThan(1e-13);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
  });
});

describe("exact McNemar (vs statsmodels)", () => {
  it("p-values", () => {
    for (const { b, c, p } of fixture.mcnemar) {
      const r = mcnemarExact({ a: 10, b, c, d: 10 });
      if (p === null || b + c === 0) expect(r.p).toBeNull();
      else expect(rel(r.p!, p)).toBeLessThan(1e-10);
    }
  });
  it("effect sizes: Cohen's g, the study's g statistic and the discordant odds ratio", () => {
    const r = mcnemarExact({ a: 0, b: 30, c: 10, d: 0 });
    expect(r.cohensG).toBeCloseTo(0.25, 15);
    expect(r.studyG).toBeCloseTo(20 / Math.sqrt(40), 15);
    expect(r.oddsRatio).toBe(3);
    expect(studyGLabel(r.studyG)).toBe("Large");
    const inf = mcnemarExact({ a: 5, b: 4, c: 0, d: 1 });
    expect(inf.oddsRatio).toBeNull();
    expect(inf.oddsRatioNote).toBe("infinite");
    expect(inf.p).toBeCloseTo(0.125, 15);
  });
  it("pairs outcomes", () => {
    expect(pairCounts([0, 0, 1, 1, 0], [0, 1, 0, 1, 1])).toEqual({ a: 1, b: 2, c: 1, d: 1 });
  });
  it("binomial tail is accurate for large n", () => {
    expect(binomialHalfCdf(0, 1)).toBe(0.5);
    expect(binomialHalfCdf(1, 2)).toBeCloseTo(0.75, 15);
    // symmetric: P(X ≤ n/2 − 1) + P(X ≤ n/2) = 1 for even n
    expect(binomialHalfCdf(4999, 10000) + binomialHalfCdf(5000, 10000)).toBeCloseTo(1, 12);
    expect(binomialHalfCdf(2000, 5000)).toBeGreaterThan(0);
  });
  it("rejects bad counts", () => {
    expect(() => mcnemarExact({ a: 0, b: -1, c: 0, d: 0 })).toThrow(RangeError);
  });
});

describe("Benjamini–Hochberg (vs statsmodels fdrcorrection)", () => {
  it("adjusted p-values and rejections", () => {
    const r = benjaminiHochberg(fixture.fdr.p);
    r.adjusted.forEach((a, i) => {
      expect(rel(a!, fixture.fdr.adjusted[i]!)).toBeLessThan(1e-12);
    });
    expect(r.rejected).toEqual(fixture.fdr.rejected);
  });
  it("leaves untestable cells out of the family", () => {
    const r = benjaminiHochberg([0.01, null, 0.04]);
    expect(r.adjusted).toEqual([0.02, null, 0.04]);
    expect(r.rejected).toEqual([true, null, true]);
  });
});

describe("Wilson interval (vs statsmodels proportion_confint)", () => {
  it("matches", () => {
    for (const { k, n, level, lower, upper } of fixture.wilson) {
      const ci = wilsonInterval(k, n, level);
      expect(Math.abs(ci.lower - lower)).toBeLessThan(1e-14);
      expect(Math.abs(ci.upper - upper)).toBeLessThan(1e-14);
    }
  });
  it("rejects impossible counts", () => {
    expect(() => wilsonInterval(5, 3)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 0)).toThrow(RangeError);
  });
});
