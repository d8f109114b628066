import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  meanSem,
  pairedTTest,
  studentTQuantile,
  studentTSf,
  wilcoxonSignedRank,
} from "../../src/warmth/paired.js";
import { repoRoot } from "../helpers/paths.js";

interface Fixture {
  t_dist: ({ t: number; df: number; sf: number } | { q: number; df: number; ppf: number })[];
  ttest_rel: {
    name: string;
    treatment: number[];
    reference: number[];
    t: number;
    df: number;
    p_two_sided: number;
    p_greater: number;
    ci95: [number, number];
  }[];
  wilcoxon: {
    name: string;
    method: "exact" | "approx";
    treatment: number[];
    reference: number[];
    statistic_greater: number;
    p_two_sided: number;
    p_greater: number;
  }[];
  sem: { values: number[]; mean: number; sem: number }[];
}

// Made by test/warmth/fixtures/make_paired.py (scipy).
const fx = JSON.parse(
  readFileSync(join(repoRoot, "test/warmth/fixtures/paired.json"), "utf8"),
) as Fixture;

/** Relative closeness (absolute near zero). */
function close(actual: number, expected: number, rel = 1e-9): void {
  const tol = Math.max(Math.abs(expected) * rel, 1e-300);
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

describe("Student t distribution (vs scipy.stats.t)", () => {
  it("survival function and quantiles", () => {
    for (const c of fx.t_dist) {
      if ("sf" in c) close(studentTSf(c.t, c.df), c.sf, 1e-9);
      else close(studentTQuantile(c.q, c.df), c.ppf, 1e-9);
    }
  });
});

describe("paired t-test (vs scipy.stats.ttest_rel)", () => {
  for (const c of fx.ttest_rel) {
    it(c.name, () => {
      const r = pairedTTest(c.treatment, c.reference)!;
      close(r.t, c.t, 1e-10);
      expect(r.df).toBe(c.df);
      close(r.pTwoSided, c.p_two_sided, 1e-8);
      close(r.pGreater, c.p_greater, 1e-8);
      close(r.ci95[0], c.ci95[0], 1e-9);
      close(r.ci95[1], c.ci95[1], 1e-9);
    });
  }
  it("needs two pairs; identical differences are degenerate but defined", () => {
    expect(pairedTTest([1], [0])).toBeNull();
    const same = pairedTTest([2, 3], [1, 2])!;
    expect(same.t).toBe(Infinity);
    expect(same.pGreater).toBe(0);
    const none = pairedTTest([2, 3], [2, 3])!;
    expect(none.pTwoSided).toBe(1);
    expect(() => pairedTTest([1, 2], [1])).toThrow(/paired/);
  });
});

describe("Wilcoxon signed-rank (vs scipy.stats.wilcoxon)", () => {
  for (const c of fx.wilcoxon) {
    it(`${c.name} (${c.method})`, () => {
      const r = wilcoxonSignedRank(c.treatment, c.reference, c.method)!;
      expect(r.method).toBe(c.method);
      close(r.rPlus, c.statistic_greater, 1e-12);
      close(r.pTwoSided, c.p_two_sided, 1e-9);
      close(r.pGreater, c.p_greater, 1e-9);
    });
  }
  it("auto picks exact only without ties or zeros; all-zero differences give null", () => {
    expect(wilcoxonSignedRank([3, 5, 9], [1, 2, 3])!.method).toBe("exact");
    expect(wilcoxonSignedRank([3, 4, 9], [1, 2, 3])!.method).toBe("approx");
    expect(wilcoxonSignedRank([1, 2], [1, 2])).toBeNull();
  });
});

describe("mean ± SEM (vs scipy.stats.sem)", () => {
  it("matches", () => {
    for (const c of fx.sem) {
      const s = meanSem(c.values);
      close(s.mean!, c.mean, 1e-12);
      close(s.sem!, c.sem, 1e-12);
    }
    expect(meanSem([])).toEqual({ n: 0, mean: null, sd: null, sem: null });
    expect(meanSem([2, Number.NaN]).sem).toBeNull();
  });
});
