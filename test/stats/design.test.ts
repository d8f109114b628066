import { describe, expect, it } from "vitest";
import { z } from "zod";
import { generateSynthetic, SMALL_ITEMS } from "../../scripts/reference/synthetic.js";
import {
  buildDesign,
  designInfo,
  type ModelSpec,
  sortLevels,
  toDense,
} from "../../src/stats/design.js";
import { allRows, categorical, getNumeric, makeFrame, numeric } from "../../src/stats/frame.js";
import { fitLogit } from "../../src/stats/glm.js";
import { coefficientTable } from "../../src/stats/wald.js";
import { relErr } from "../analysis/reference-fixtures.js";
import { readFixture } from "../helpers/fixtures.js";

const fixture = z
  .object({
    designs: z.record(
      z.string(),
      z.object({
        formula: z.string(),
        names: z.array(z.string()),
        params: z.array(z.number()),
        bse: z.array(z.number()),
        llf: z.number(),
      }),
    ),
  })
  .parse(readFixture("stats/designs-synthetic-small.json"));

const cat = (column: string) => ({ column, kind: "categorical" as const });
const factors = {
  ft: cat("is_finetuned"),
  group: cat("amendment_group"),
  pg: cat("prompt_group"),
  dataset: cat("dataset"),
  model: cat("model"),
  rl: { column: "response_length", kind: "numeric" as const },
};
const specs: Record<string, ModelSpec> = {
  numericByCategory: { factors, terms: [["model"], ["dataset", "rl"]] },
  noIntercept: { factors, intercept: false, terms: [["dataset"], ["model"]] },
  interactionOnly: { factors, terms: [["ft", "group"], ["dataset"]] },
  threeWay: {
    factors,
    terms: [
      ["ft"],
      ["pg"],
      ["dataset"],
      ["ft", "pg"],
      ["ft", "dataset"],
      ["pg", "dataset"],
      ["ft", "pg", "dataset"],
    ],
  },
};

describe("patsy-compatible coding (vs statsmodels formulas)", () => {
  const { frame } = generateSynthetic(SMALL_ITEMS);
  const rows = allRows(frame.n);
  const y = getNumeric(frame, "is_incorrect").values;
  for (const [name, spec] of Object.entries(specs)) {
    it(`${name}: ${fixture.designs[name]!.formula}`, () => {
      const ref = fixture.designs[name]!;
      const info = designInfo(spec, frame, rows);
      expect(info.names).toEqual(ref.names);
      const fit = fitLogit(buildDesign(info, frame, rows), y, info.names);
      const table = coefficientTable(info.names, fit.params, fit.cov, fit.aliased);
      table.forEach((c, j) => {
        expect(relErr(c.estimate!, ref.params[j]!)).toBeLessThan(1e-6);
        expect(relErr(c.se!, ref.bse[j]!)).toBeLessThan(1e-6);
      });
      expect(relErr(fit.llf, ref.llf)).toBeLessThan(1e-9);
    });
  }
});

describe("design details", () => {
  it("sorts levels like Python: integers numerically, strings by code point", () => {
    expect(sortLevels(["10", "9", "1"])).toEqual(["1", "9", "10"]);
    expect(sortLevels(["qwen", "8b", "Zed", "70b"])).toEqual(["70b", "8b", "Zed", "qwen"]);
  });
  it("counterfactual overrides reuse the fitted columns and reject unseen levels", () => {
    const frame = makeFrame({ g: categorical(["a", "b", "a"]), x: numeric([1, 2, 3]) });
    const spec: ModelSpec = {
      factors: { g: cat("g"), x: { column: "x", kind: "numeric" } },
      terms: [["g"], ["x"]],
    };
    const rows = allRows(3);
    const info = designInfo(spec, frame, rows);
    expect(info.names).toEqual(["Intercept", "C(g)[T.b]", "x"]);
    expect(
      toDense(
        buildDesign(info, frame, rows, [
          { column: "g", level: "b" },
          { column: "x", add: 10 },
        ]),
      ).map((r) => [...r]),
    ).toEqual([
      [1, 1, 11],
      [1, 1, 12],
      [1, 1, 13],
    ]);
    expect(() => buildDesign(info, frame, rows, [{ column: "g", level: "zzz" }])).toThrow(
      /not in the fitted design/,
    );
    expect(() =>
      designInfo(
        { ...spec, factors: { ...spec.factors, g: { ...cat("g"), reference: "c" } } },
        frame,
        rows,
      ),
    ).toThrow(/reference level 'c'/);
  });
});

describe("fit problems are flagged, never silent", () => {
  it("separation: a level whose rows all share one outcome", () => {
    const g = ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c"];
    const yv = [0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0];
    const frame = makeFrame({ g: categorical(g) });
    const rows = allRows(g.length);
    const info = designInfo({ factors: { g: cat("g") }, terms: [["g"]] }, frame, rows);
    const fit = fitLogit(buildDesign(info, frame, rows), yv, info.names);
    const sep = fit.warnings.find((w) => w.code === "separation");
    expect(sep?.terms).toEqual(["C(g)[T.c]"]);
    expect([...fit.params].every(Number.isFinite)).toBe(true);
  });
  it("rank deficiency: an aliased column is dropped and reported as null", () => {
    // h duplicates g exactly, so C(h)[T.y] is a copy of C(g)[T.b].
    const frame = makeFrame({
      g: categorical(["a", "b", "a", "b", "a", "b"]),
      h: categorical(["x", "y", "x", "y", "x", "y"]),
    });
    const rows = allRows(6);
    const info = designInfo(
      { factors: { g: cat("g"), h: cat("h") }, terms: [["g"], ["h"]] },
      frame,
      rows,
    );
    const fit = fitLogit(buildDesign(info, frame, rows), [0, 1, 1, 0, 0, 1], info.names);
    expect(fit.aliased).toEqual([false, false, true]);
    expect(fit.warnings.map((w) => w.code)).toContain("rank_deficient");
    const table = coefficientTable(info.names, fit.params, fit.cov, fit.aliased);
    expect(table[2]).toMatchObject({ aliased: true, estimate: null, se: null });
  });
  it("non-convergence is reported", () => {
    const frame = makeFrame({ g: categorical(["a", "b", "a", "b"]) });
    const rows = allRows(4);
    const info = designInfo({ factors: { g: cat("g") }, terms: [["g"]] }, frame, rows);
    const fit = fitLogit(buildDesign(info, frame, rows), [0, 1, 1, 1], info.names, { maxIter: 1 });
    expect(fit.converged).toBe(false);
    expect(fit.warnings.map((w) => w.code)).toContain("nonconvergence");
  });
  it("rejects non-binary responses", () => {
    const frame = makeFrame({ g: categorical(["a", "b"]) });
    const info = designInfo({ factors: { g: cat("g") }, terms: [["g"]] }, frame, allRows(2));
    expect(() => fitLogit(buildDesign(info, frame, allRows(2)), [0, 2], info.names)).toThrow(
      /0\/1/,
    );
  });
});
