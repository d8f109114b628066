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

    it(`${id}: log-odds linear combinations match Lᵀβ and √(LᵀVL) from statsmodels' β and V`, () => {
      const ref = fitted_(fixture.models[id]);
      const res = fitStudyModel(data.frame, id);
      expect(res.logOddsContrasts.length).toBeGreaterThan(0);
      const ft = ref.names.indexOf("C(is_finetuned, Treatment(reference=0))[T.1]");
      for (const c of res.logOddsContrasts) {
        const L = new Array<number>(ref.names.length).fill(0);
        if (c.label.startsWith("extra")) {
          L[ref.names.findIndex((n) => n.includes("[1]:"))] = 1;
          L[ref.names.findIndex((n) => n.includes("[0]:"))] = -1;
        } else {
          L[ft] = 1;
          const m = /\| (\w+)=(.+) \(log-odds\)$/.exec(c.label);
          if (id === "model4" && c.label.includes("| user_opinion")) {
            L[ref.names.findIndex((n) => n.includes("[1]:"))] = 1;
            L[ref.names.findIndex((n) => n.includes("[0]:"))] = -1;
          } else if (m && id !== "model4") {
            const j = ref.names.findIndex(
              (n) => n.startsWith(`${ref.names[ft]}:`) && n.endsWith(`[T.${m[2]}]`),
            );
            if (j >= 0) L[j] = 1;
          }
        }
        const est = L.reduce((s, w, j) => s + w * ref.params[j]!, 0);
        let v = 0;
        L.forEach((wi, i) => {
          L.forEach((wj, j) => {
            v += wi * wj * ref.cov[i]![j]!;
          });
        });
        expect(Math.abs(c.estimate! - est), c.label).toBeLessThan(1e-6);
        expect(relErr(c.se!, Math.sqrt(v)), c.label).toBeLessThan(1e-6);
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
