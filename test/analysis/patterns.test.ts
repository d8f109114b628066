/**
 * Sufficient statistics: fitting Models 1–4 on covariate patterns with counts
 * gives the row-level fit's numbers to ≤ 1e-9 (coefficients, both covariances,
 * fit statistics, AMEs, contrasts), from far fewer design rows.
 */
import { describe, expect, it } from "vitest";
import { generateSynthetic, SMALL_ITEMS } from "../../scripts/reference/synthetic.js";
import { type CovType, fitStudyModel, type ModelResult } from "../../src/analysis/fit-model.js";
import { PATTERN_COLUMNS, PatternBuilder, patternsFromFrame } from "../../src/analysis/patterns.js";
import { allRows, getCategorical, getNumeric, selectRows } from "../../src/stats/frame.js";
import { relErr } from "./reference-fixtures.js";

const data = generateSynthetic(SMALL_ITEMS);

function close(a: number | null, b: number | null, what: string): void {
  expect(a === null, what).toBe(b === null);
  if (a !== null && b !== null) expect(relErr(a, b), `${what}: ${a} vs ${b}`).toBeLessThan(1e-9);
}

function expectSame(a: ModelResult, b: ModelResult): void {
  expect(a.nobs).toBe(b.nobs);
  expect(a.nClusters).toBe(b.nClusters);
  expect(a.fit.iterations).toBe(b.fit.iterations);
  expect(a.coefficients.map((c) => c.name)).toEqual(b.coefficients.map((c) => c.name));
  a.coefficients.forEach((c, j) => {
    close(c.estimate, b.coefficients[j]!.estimate, `${c.name} estimate`);
    close(c.se, b.coefficients[j]!.se, `${c.name} se`);
  });
  for (const k of ["llf", "llnull", "deviance", "pearsonChi2", "pseudoR2CS"] as const)
    close(a.fit[k], b.fit[k], k);
  expect(a.marginalEffects.map((e) => [e.label, e.n])).toEqual(
    b.marginalEffects.map((e) => [e.label, e.n]),
  );
  a.marginalEffects.forEach((e, i) => {
    close(e.estimate, b.marginalEffects[i]!.estimate, `${e.label} estimate`);
    close(e.se, b.marginalEffects[i]!.se, `${e.label} se`);
  });
  [...a.effectContrasts, ...a.logOddsContrasts].forEach((e, i) => {
    const f = [...b.effectContrasts, ...b.logOddsContrasts][i]!;
    expect(e.label).toBe(f.label);
    close(e.estimate, f.estimate, `${e.label} estimate`);
    close(e.se, f.se, `${e.label} se`);
  });
}

describe("covariate patterns with counts reproduce the row-level fits", () => {
  const table = patternsFromFrame(data.frame);

  it("compresses 46,800 rows to 1,440 patterns (5 models × 2 × 4 tasks × 9 contexts × 4 templates), counts intact", () => {
    expect(table.frame.n).toBe(1440);
    expect(table.counts.reduce((a, b) => a + b, 0)).toBe(data.frame.n);
    const ones = getNumeric(data.frame, "is_incorrect").values.reduce((a, b) => a + b, 0);
    expect(table.successes.reduce((a, b) => a + b, 0)).toBe(ones);
    expect(table.cells.count.reduce((a, b) => a + b, 0)).toBe(data.frame.n);
  });

  for (const covType of ["nonrobust", "cluster"] as CovType[]) {
    for (const id of ["model1", "model2", "model3", "model4"] as const) {
      it(`${id} (${covType}): patterns = rows to 1e-9`, () => {
        const rows = fitStudyModel(data.frame, id, { covType, path: "rows" });
        expectSame(fitStudyModel(data.frame, id, { covType }), rows);
        expectSame(fitStudyModel(table, id, { covType }), rows);
      });
    }
  }

  it("a row selection (one dataset) gives the same fit either way", () => {
    const rows = selectRows(data.frame, allRows(data.frame.n), "dataset", ["trivia", "medqa"]);
    const sub = patternsFromFrame(data.frame, rows);
    expectSame(
      fitStudyModel(sub, "model4", { covType: "cluster" }),
      fitStudyModel(data.frame, "model4", { covType: "cluster", rows, path: "rows" }),
    );
  });

  it("the streaming builder (one response at a time) builds the same table", () => {
    const b = new PatternBuilder();
    const col = (c: string) => getCategorical(data.frame, c);
    const y = getNumeric(data.frame, "is_incorrect").values;
    const names = PATTERN_COLUMNS;
    const cols = names.map(col);
    const ds = col("dataset");
    const item = col("item_id");
    for (let r = 0; r < data.frame.n; r++) {
      const values = Object.fromEntries(
        names.map((n, k) => [n, cols[k]!.levels[cols[k]!.codes[r]!]!]),
      ) as Record<(typeof names)[number], string>;
      b.add(values, `${ds.levels[ds.codes[r]!]}\u0000${item.levels[item.codes[r]!]}`, 1, y[r]!);
    }
    const built = b.build();
    expect(built.frame.n).toBe(table.frame.n);
    expect(built.nClusters).toBe(table.nClusters);
    expectSame(
      fitStudyModel(built, "model4", { covType: "cluster" }),
      fitStudyModel(table, "model4", { covType: "cluster" }),
    );
    expect(() => fitStudyModel(built, "model1_length")).toThrow(/per-response lengths/);
  });
});
