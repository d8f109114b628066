/**
 * Quasi-complete separation by a *combination* of levels (no single indicator
 * column has one outcome): the fit must converge as statsmodels' does, flag the
 * two diverging coefficients and keep the identified ones equal to statsmodels'.
 * Reference: scripts/reference/separation_reference.py.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildDesign, designInfo, type ModelSpec } from "../../src/stats/design.js";
import { allRows, categorical, makeFrame, selectRows } from "../../src/stats/frame.js";
import { fitLogit } from "../../src/stats/glm.js";
import { touchesSeparation } from "../../src/stats/separation.js";
import { relErr } from "../analysis/reference-fixtures.js";
import { readFixture } from "../helpers/fixtures.js";

const fixture = z
  .object({
    cells: z.array(z.object({ g: z.string(), h: z.string(), n: z.number(), k: z.number() })),
    nobs: z.number(),
    names: z.array(z.string()),
    params: z.array(z.number()),
    bse: z.array(z.number().nullable()),
    llf: z.number(),
    iterations: z.number(),
    converged: z.boolean(),
    mu: z.array(z.number()),
    sumTcTz: z.number(),
  })
  .parse(readFixture("stats/separation-quasi.json"));

const spec: ModelSpec = {
  factors: { g: { column: "g", kind: "categorical" }, h: { column: "h", kind: "categorical" } },
  terms: [["g"], ["h"]],
};
const IDENTIFIED = ["Intercept", "C(g)[T.b]", "C(h)[T.y]"];
const DIVERGING = ["C(g)[T.c]", "C(h)[T.z]"];

function cellFit() {
  const frame = makeFrame({
    g: categorical(fixture.cells.map((c) => c.g)),
    h: categorical(fixture.cells.map((c) => c.h)),
  });
  const rows = allRows(frame.n);
  const info = designInfo(spec, frame, rows);
  const x = buildDesign(info, frame, rows);
  const fit = fitLogit(
    x,
    fixture.cells.map((c) => c.k),
    info.names,
    { counts: fixture.cells.map((c) => c.n) },
  );
  return { info, frame, rows, x, fit };
}

function rowFit() {
  const g: string[] = [];
  const h: string[] = [];
  const y: number[] = [];
  for (const c of fixture.cells) {
    for (let i = 0; i < c.n; i++) {
      g.push(c.g);
      h.push(c.h);
      y.push(i < c.k ? 1 : 0);
    }
  }
  const frame = makeFrame({ g: categorical(g), h: categorical(h) });
  const rows = allRows(frame.n);
  const info = designInfo(spec, frame, rows);
  return fitLogit(buildDesign(info, frame, rows), y, info.names);
}

describe("quasi-separation by a combination of levels", () => {
  for (const [label, fitOf] of [
    ["Bernoulli rows", () => rowFit()],
    ["covariate patterns with counts", () => cellFit().fit],
  ] as const) {
    it(`${label}: converges like statsmodels, flags the diverging pair, keeps the rest`, () => {
      const fit = fitOf();
      expect(fit.names).toEqual(fixture.names);
      expect(fit.nobs).toBe(fixture.nobs);
      expect(fit.converged).toBe(fixture.converged);
      expect(fit.iterations).toBe(fixture.iterations);
      const sep = fit.warnings.find((w) => w.code === "separation");
      expect(sep?.terms).toEqual(DIVERGING);
      expect(fit.names.filter((_, j) => fit.separated[j])).toEqual(DIVERGING);
      for (const name of IDENTIFIED) {
        const j = fit.names.indexOf(name);
        expect(relErr(fit.params[j]!, fixture.params[j]!), name).toBeLessThan(1e-6);
        expect(
          relErr(Math.sqrt(fit.cov.data[j * fit.names.length + j]!), fixture.bse[j]!),
        ).toBeLessThan(1e-6);
      }
      const tc = fit.names.indexOf("C(g)[T.c]");
      const tz = fit.names.indexOf("C(h)[T.z]");
      expect(relErr(fit.params[tc]! + fit.params[tz]!, fixture.sumTcTz)).toBeLessThan(1e-6);
      expect(Math.abs(fit.llf - fixture.llf)).toBeLessThan(1e-6);
      expect([...fit.params].every(Number.isFinite)).toBe(true);
    });
  }

  it("the same numbers from patterns as from rows (≤ 1e-9)", () => {
    const a = rowFit();
    const b = cellFit().fit;
    for (const name of IDENTIFIED) {
      const j = a.names.indexOf(name);
      expect(relErr(a.params[j]!, b.params[j]!)).toBeLessThan(1e-9);
    }
    expect(Math.abs(a.deviance - b.deviance)).toBeLessThan(1e-9);
    expect(a.iterations).toBe(b.iterations);
  });

  it("fitted probabilities of separated cells are at 0/1 like statsmodels'", () => {
    const { fit } = cellFit();
    fixture.mu.forEach((m, i) => {
      expect(Math.abs(fit.mu[i]! - m)).toBeLessThan(1e-6);
    });
  });

  it("predictions that move along the separating direction are recognised", () => {
    const { info, frame, rows, fit } = cellFit();
    const dirs = fit.separatingDirections;
    expect(dirs.length).toBe(1);
    // Switching g from a to b where h is x or y moves only identified coefficients…
    const xy = selectRows(frame, rows, "h", ["x", "y"]);
    const at = (lvl: string, r: Int32Array) =>
      buildDesign(info, frame, r, [{ column: "g", level: lvl }]);
    expect(touchesSeparation(at("b", xy), dirs)).toBe(false);
    // …but rows with h=z, or g=c, depend on the diverging direction.
    expect(touchesSeparation(at("b", rows), dirs)).toBe(true);
    expect(touchesSeparation(at("c", xy), dirs)).toBe(true);
  });

  it("the MLE-exists case is not flagged", () => {
    const frame = makeFrame({ g: categorical(["a", "a", "b", "b", "c", "c"]) });
    const rows = allRows(6);
    const info = designInfo(
      { factors: { g: { column: "g", kind: "categorical" } }, terms: [["g"]] },
      frame,
      rows,
    );
    const fit = fitLogit(buildDesign(info, frame, rows), [0, 1, 1, 0, 1, 0], info.names);
    expect(fit.separated.some(Boolean)).toBe(false);
    expect(fit.warnings).toEqual([]);
  });
});
