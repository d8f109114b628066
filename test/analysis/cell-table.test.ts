import { describe, expect, it } from "vitest";
import { z } from "zod";
import { generateSynthetic, SMALL_ITEMS } from "../../scripts/reference/synthetic.js";
import { cellTable } from "../../src/analysis/cell-table.js";
import { rowsToFrame } from "../../src/analysis/frame.js";
import type { AnalysisRow } from "../../src/analysis/rows.js";
import { readFixture } from "../helpers/fixtures.js";

const refCell = z.object({
  model: z.string(),
  dataset: z.string(),
  beliefGroup: z.string(),
  context: z.string(),
  pairs: z.number(),
  a: z.number(),
  b: z.number(),
  c: z.number(),
  d: z.number(),
  p: z.number().nullable(),
  pFdr: z.number().nullable().optional(),
});
const fixture = z
  .object({ pooled: z.array(refCell), originalOnly: z.array(refCell) })
  .parse(readFixture("stats/cells-synthetic-small.json"));

const frame = generateSynthetic(SMALL_ITEMS).frame;

describe("per-cell McNemar table matches the authors' procedure (pandas merge + statsmodels)", () => {
  for (const [name, opts] of [
    ["pooled", {}],
    ["originalOnly", { noBeliefTemplates: ["original"] as const }],
  ] as const) {
    it(`${name}: counts, p, FDR-adjusted p`, () => {
      const { cells } = cellTable(frame, opts);
      const ref = fixture[name];
      expect(cells.length).toBe(ref.length);
      for (const r of ref) {
        const got = cells.find(
          (c) =>
            c.model === r.model &&
            c.dataset === r.dataset &&
            c.beliefGroup === r.beliefGroup &&
            c.context === r.context,
        );
        expect(got, JSON.stringify(r)).toBeDefined();
        expect(got!.pairs).toBe(r.pairs);
        expect(got!.counts).toEqual({ a: r.a, b: r.b, c: r.c, d: r.d });
        if (r.p === null) expect(got!.p).toBeNull();
        else expect(Math.abs(got!.p! - r.p) / r.p).toBeLessThan(1e-10);
        if (r.pFdr != null) expect(Math.abs(got!.pFdr! - r.pFdr) / r.pFdr).toBeLessThan(1e-10);
        expect(got!.differencePp).toBeCloseTo(((r.b - r.c) / r.pairs) * 100, 10);
      }
    });
  }
});

describe("pairing", () => {
  const base: AnalysisRow = {
    comparison: "warm",
    model: "m",
    is_finetuned: 0,
    dataset: "trivia",
    item_id: "q1",
    amendment_type: "unmodified",
    amendment_group: "unmodified",
    prompt_type: "original",
    prompt_group: "original",
    sample: 0,
    is_incorrect: 0,
    response_length: 10,
  };
  it("counts unpaired rows and ignores duplicates", () => {
    const rows: AnalysisRow[] = [
      base,
      { ...base, is_finetuned: 1, is_incorrect: 1 },
      { ...base, item_id: "q2" }, // no treatment partner
      { ...base, is_finetuned: 1, is_incorrect: 0 }, // duplicate of row 2's key
    ];
    const { cells, duplicates } = cellTable(rowsToFrame(rows));
    expect(duplicates).toBe(1);
    expect(cells).toHaveLength(1);
    expect(cells[0]!.pairs).toBe(1);
    expect(cells[0]!.unpaired).toBe(1);
    expect(cells[0]!.counts).toEqual({ a: 0, b: 1, c: 0, d: 0 });
    expect(cells[0]!.oddsRatio).toBeNull();
    expect(cells[0]!.oddsRatioNote).toBe("infinite");
    expect(cells[0]!.differencePp).toBe(100);
  });
});
