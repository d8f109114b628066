import { describe, expect, it } from "vitest";
import { FULL_ITEMS, generateSynthetic } from "../../scripts/reference/synthetic.js";
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { effectLabel, fitted_, flattenAmes, loadFixture, relErr } from "./reference-fixtures.js";

// The study's scale: 5 models × 1,625 items × 9 contexts × 4 templates × 2 variants = 585,000 rows.
const fixture = loadFixture("synthetic-full.json");
const data = generateSynthetic(FULL_ITEMS);

describe("study scale (585,000 rows) matches statsmodels", () => {
  it("regenerates the Python generator's rows", () => {
    expect(data.checksum).toEqual(fixture.checksum);
  });

  for (const id of ["model1", "model4"] as const) {
    it(`${id}: coefficients, non-robust and cluster SEs, AMEs`, () => {
      const ref = fitted_(fixture.models[id]);
      const res = fitStudyModel(data.frame, id);
      const cl = fitStudyModel(data.frame, id, { covType: "cluster" });
      expect(res.nobs).toBe(ref.nobs);
      expect(res.fit.iterations).toBe(ref.iterations);
      expect(res.coefficients.map((c) => c.name)).toEqual(ref.names);
      res.coefficients.forEach((c, j) => {
        expect(relErr(c.estimate!, ref.params[j]!)).toBeLessThan(1e-6);
        expect(relErr(c.se!, ref.bse[j]!)).toBeLessThan(1e-6);
        expect(relErr(cl.coefficients[j]!.se!, ref.bseCluster[j]!)).toBeLessThan(1e-6);
      });
      for (const [key, v] of flattenAmes(ref.ame)) {
        const cluster = key.endsWith("Cluster") || key.endsWith("|cluster");
        const label = effectLabel(key.replace(/\|cluster$|Cluster$/, ""));
        const me = (cluster ? cl : res).marginalEffects.find((e) => e.label === label);
        expect(me, key).toBeDefined();
        expect(Math.abs(me!.estimate! - v.estimate)).toBeLessThan(1e-6);
        expect(Math.abs(me!.se! - v.se!)).toBeLessThan(1e-6);
      }
    });
  }
});
