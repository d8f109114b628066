import { describe, expect, it } from "vitest";
import { fitLanguageModel, type LanguageCell } from "../../src/analysis/language-model.js";
import { chi2Sf } from "../../src/stats/chi2.js";
import { readFixture } from "../helpers/fixtures.js";

/** Made by scripts/reference/language_reference.py (statsmodels GLM, scipy chi2). */
const ref = readFixture("stats/language-model.json") as {
  cells: LanguageCell[];
  nobs: number;
  names: string[];
  params: number[];
  bse: number[];
  bseCluster: number[];
  interaction: {
    terms: string[];
    chi2: number;
    p: number;
    df: number;
    chi2Cluster: number;
    pCluster: number;
  };
  chi2Sf: { x: number; df: number; sf: number }[];
};

describe("language × treatment model, against statsmodels", () => {
  it("matches the coefficients, non-robust SEs and the joint interaction test", () => {
    const m = fitLanguageModel(ref.cells);
    expect(m.nobs).toBe(ref.nobs);
    expect(m.referenceLanguage).toBe("en");
    expect(m.coefficients.map((c) => c.name)).toEqual(ref.names);
    m.coefficients.forEach((c, j) => {
      expect(c.estimate).toBeCloseTo(ref.params[j]!, 8);
      expect(c.se).toBeCloseTo(ref.bse[j]!, 8);
    });
    expect(m.interaction.terms).toEqual(ref.interaction.terms);
    expect(m.interaction.df).toBe(2);
    expect(m.interaction.chi2).toBeCloseTo(ref.interaction.chi2, 7);
    expect(m.interaction.p).toBeCloseTo(ref.interaction.p, 9);
  });

  it("matches the item-clustered SEs and clustered interaction test", () => {
    const m = fitLanguageModel(ref.cells, { covType: "cluster" });
    expect(m.nClusters).toBe(30);
    m.coefficients.forEach((c, j) => {
      expect(c.se).toBeCloseTo(ref.bseCluster[j]!, 8);
    });
    expect(m.interaction.chi2).toBeCloseTo(ref.interaction.chi2Cluster, 7);
    expect(m.interaction.p).toBeCloseTo(ref.interaction.pCluster, 9);
  });

  it("reports the raw per-language gap (treatment − reference)", () => {
    const m = fitLanguageModel(ref.cells);
    const de = m.gaps.find((g) => g.language === "de")!;
    const sum = (lang: string, t: 0 | 1, f: "count" | "incorrect") =>
      ref.cells.filter((c) => c.language === lang && c.treated === t).reduce((a, c) => a + c[f], 0);
    expect(de.reference.n).toBe(sum("de", 0, "count"));
    expect(de.gap).toBeCloseTo(
      sum("de", 1, "incorrect") / sum("de", 1, "count") -
        sum("de", 0, "incorrect") / sum("de", 0, "count"),
      12,
    );
    expect(m.gaps.map((g) => g.language)).toEqual(["ar", "de", "en"]);
  });

  it("needs two languages", () => {
    expect(() => fitLanguageModel(ref.cells.filter((c) => c.language === "en"))).toThrow(
      /at least two languages/,
    );
  });

  it("chi-square upper tail matches scipy", () => {
    for (const r of ref.chi2Sf) expect(chi2Sf(r.x, r.df)).toBeCloseTo(r.sf, 12);
  });
});
