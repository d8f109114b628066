import { describe, expect, it } from "vitest";
import { generateSynthetic, SMALL_ITEMS } from "../../scripts/reference/synthetic.js";
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { MODEL_IDS } from "../../src/analysis/models.js";
import { effectLabel, fitted_, flattenAmes, loadFixture, relErr } from "./reference-fixtures.js";

const fixture = loadFixture("synthetic-small.json");
const data = generateSynthetic(SMALL_ITEMS);

describe("study models on synthetic data (46,800 rows) match statsmodels", () => {
  it("regenerates the same rows as the Python generator", () => {
    expect(data.checksum).toEqual(fixture.checksum);
  });

  for (const id of MODEL_IDS) {
    it(`${id}: coefficients, SEs, fit statistics and AMEs`, () => {
      const ref = fitted_(fixture.models[id]);
      const res = fitStudyModel(data.frame, id);
      expect(res.warnings).toEqual([]);
      expect(res.nobs).toBe(ref.nobs);
      expect(res.coefficients.map((c) => c.name)).toEqual(ref.names);
      res.coefficients.forEach((c, j) => {
        expect(relErr(c.estimate!, ref.params[j]!)).toBeLessThan(1e-6);
        expect(relErr(c.se!, ref.bse[j]!)).toBeLessThan(1e-6);
      });
      expect(relErr(res.fit.llf, ref.llf)).toBeLessThan(1e-9);
      expect(relErr(res.fit.deviance, ref.deviance)).toBeLessThan(1e-9);
      expect(relErr(res.fit.llnull, ref.llnull)).toBeLessThan(1e-9);
      expect(relErr(res.fit.pearsonChi2, ref.pearsonChi2)).toBeLessThan(1e-8);
      expect(relErr(res.fit.pseudoR2CS, ref.pseudoR2CS)).toBeLessThan(1e-8);
      expect(res.fit.iterations).toBe(ref.iterations);
      expect(res.fit.dfModel).toBe(ref.dfModel);
      expect(res.fit.dfResid).toBe(ref.dfResid);

      for (const [key, v] of flattenAmes(ref.ame)) {
        if (key.endsWith("Cluster") || key.endsWith("|cluster")) continue;
        const label = effectLabel(key);
        const me = res.marginalEffects.find((e) => e.label === label);
        expect(me, label).toBeDefined();
        expect(Math.abs(me!.estimate! - v.estimate)).toBeLessThan(1e-6);
        expect(Math.abs(me!.se! - v.se!)).toBeLessThan(1e-6);
        expect(me!.n).toBe(v.n);
      }
    });

    it(`${id}: cluster-robust SEs (clusters = items)`, () => {
      const ref = fitted_(fixture.models[id]);
      const res = fitStudyModel(data.frame, id, { covType: "cluster" });
      expect(res.nClusters).toBe(ref.nClusters);
      res.coefficients.forEach((c, j) => {
        expect(relErr(c.se!, ref.bseCluster[j]!)).toBeLessThan(1e-6);
      });
      const all = res.marginalEffects.find((e) => e.label === "fine-tuning (all rows)")!;
      const refAll = (ref.ame.is_finetuned as Record<string, { estimate: number; se: number }>)
        .allCluster!;
      expect(Math.abs(all.se! - refAll.se)).toBeLessThan(1e-6);
    });
  }
});
