/**
 * The per-cell table of the study's summary data: for each comparison ×
 * subject pair × task × belief group × context, pair each reference response
 * with the treatment response to the same prompt (item, context, template,
 * sample) and report both error rates, their difference, the exact McNemar
 * p-value, its Benjamini–Hochberg adjustment, Cohen's g, the authors' g
 * statistic and the discordant odds ratio.
 *
 * Defaults follow STUDY.md: the no-belief group pools `original` and
 * `original_neutral`; FDR is applied across the contexts of one
 * (comparison, model, task, belief group), as in the authors' script.
 * `noBeliefTemplates: ["original"]` reproduces their released tables, whose
 * filter spelled the neutral template "original neutral" and so matched none.
 */
import { benjaminiHochberg } from "../stats/fdr.js";
import { type Frame, getCategorical, getNumeric } from "../stats/frame.js";
import { mcnemarExact, type PairCounts } from "../stats/mcnemar.js";
import { wilsonInterval } from "../stats/wilson.js";
import type { BeliefLabel, ContextLabel } from "../types.js";
import { CONTEXTS } from "../types.js";

export type BeliefGroupName = "no_belief" | "user_belief";

export interface CellTableOptions {
  readonly noBeliefTemplates?: readonly BeliefLabel[];
  readonly userBeliefTemplates?: readonly BeliefLabel[];
  /** FDR family: per (comparison, model, task, belief group) [default] or all cells of a comparison. */
  readonly fdrFamily?: "context" | "comparison";
  readonly alpha?: number;
}

export interface CellRow {
  readonly comparison: string;
  readonly model: string;
  readonly dataset: string;
  readonly beliefGroup: BeliefGroupName;
  readonly context: ContextLabel;
  readonly pairs: number;
  /** Rows with no partner on the other side (e.g. a refusal dropped on one side). */
  readonly unpaired: number;
  readonly counts: PairCounts;
  readonly referenceErrorRate: number;
  readonly treatmentErrorRate: number;
  readonly referenceCi: readonly [number, number];
  readonly treatmentCi: readonly [number, number];
  /** Treatment minus reference error rate, percentage points. */
  readonly differencePp: number;
  readonly p: number | null;
  readonly pFdr: number | null;
  readonly significantFdr: boolean | null;
  readonly cohensG: number | null;
  readonly studyG: number | null;
  readonly oddsRatio: number | null;
  readonly oddsRatioNote?: "infinite" | "undefined";
}

interface Cell {
  readonly key: string;
  ref: Map<string, number>;
  treat: Map<string, number>;
  duplicates: number;
}

export function cellTable(
  frame: Frame,
  opts: CellTableOptions = {},
): { cells: CellRow[]; duplicates: number } {
  const noBelief = opts.noBeliefTemplates ?? ["original", "original_neutral"];
  const userBelief = opts.userBeliefTemplates ?? ["incorrect", "correct"];
  const col = (name: string) => getCategorical(frame, name);
  const comparison = col("comparison");
  const model = col("model");
  const dataset = col("dataset");
  const context = col("amendment_type");
  const template = col("prompt_type");
  const item = col("item_id");
  const sample = col("sample");
  const ft = col("is_finetuned");
  const y = getNumeric(frame, "is_incorrect").values;
  const groupOfTemplate = template.levels.map((t) =>
    (noBelief as readonly string[]).includes(t)
      ? "no_belief"
      : (userBelief as readonly string[]).includes(t)
        ? "user_belief"
        : null,
  );

  const cells = new Map<string, Cell>();
  let duplicates = 0;
  for (let i = 0; i < frame.n; i++) {
    const g = groupOfTemplate[template.codes[i]!];
    if (!g) continue;
    const key = [
      comparison.levels[comparison.codes[i]!],
      model.levels[model.codes[i]!],
      dataset.levels[dataset.codes[i]!],
      g,
      context.levels[context.codes[i]!],
    ].join("\u0000");
    let cell = cells.get(key);
    if (!cell) {
      cell = { key, ref: new Map(), treat: new Map(), duplicates: 0 };
      cells.set(key, cell);
    }
    const pairKey = `${item.codes[i]}|${template.codes[i]}|${sample.codes[i]}`;
    const side = ft.levels[ft.codes[i]!] === "1" ? cell.treat : cell.ref;
    if (side.has(pairKey)) {
      cell.duplicates++;
      duplicates++;
      continue;
    }
    side.set(pairKey, y[i]!);
  }

  const paired: CellCounts[] = [];
  for (const cell of cells.values()) {
    const [cmp, mdl, ds, bg, ctx] = cell.key.split("\u0000") as [
      string,
      string,
      string,
      BeliefGroupName,
      ContextLabel,
    ];
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let n = 0;
    for (const [k, r] of cell.ref) {
      const t = cell.treat.get(k);
      if (t === undefined) continue;
      n++;
      if (r === 0 && t === 0) a++;
      else if (r === 0) b++;
      else if (t === 0) c++;
      else d++;
    }
    const unpaired = cell.ref.size + cell.treat.size - 2 * n;
    paired.push({
      comparison: cmp,
      model: mdl,
      dataset: ds,
      beliefGroup: bg,
      context: ctx,
      counts: { a, b, c, d },
      unpaired,
    });
  }
  return { cells: cellRows(paired, opts), duplicates };
}

/** One cell's paired 2×2 table, however it was counted (row pairing here, SQL elsewhere). */
export interface CellCounts {
  readonly comparison: string;
  readonly model: string;
  readonly dataset: string;
  readonly beliefGroup: BeliefGroupName;
  readonly context: ContextLabel;
  readonly counts: PairCounts;
  readonly unpaired: number;
}

/** The table's rows from each cell's paired counts: tests, sorting and FDR. Cells without pairs drop out. */
export function cellRows(cells: readonly CellCounts[], opts: CellTableOptions = {}): CellRow[] {
  const rows: Omit<CellRow, "pFdr" | "significantFdr">[] = [];
  for (const cell of cells) {
    const { comparison: cmp, model: mdl, dataset: ds, beliefGroup: bg, context: ctx } = cell;
    const { a, b, c, d } = cell.counts;
    const paired = a + b + c + d;
    const unpaired = cell.unpaired;
    if (paired === 0) continue;
    const refErr = c + d;
    const treatErr = b + d;
    const counts = { a, b, c, d };
    const mc = mcnemarExact(counts);
    const rci = wilsonInterval(refErr, paired);
    const tci = wilsonInterval(treatErr, paired);
    rows.push({
      comparison: cmp,
      model: mdl,
      dataset: ds,
      beliefGroup: bg,
      context: ctx,
      pairs: paired,
      unpaired,
      counts,
      referenceErrorRate: refErr / paired,
      treatmentErrorRate: treatErr / paired,
      referenceCi: [rci.lower, rci.upper],
      treatmentCi: [tci.lower, tci.upper],
      differencePp: ((treatErr - refErr) / paired) * 100,
      p: mc.p,
      cohensG: mc.cohensG,
      studyG: mc.studyG,
      oddsRatio: mc.oddsRatio,
      ...(mc.oddsRatioNote ? { oddsRatioNote: mc.oddsRatioNote } : {}),
    });
  }
  rows.sort(
    (x, z) =>
      x.comparison.localeCompare(z.comparison) ||
      x.model.localeCompare(z.model) ||
      x.dataset.localeCompare(z.dataset) ||
      x.beliefGroup.localeCompare(z.beliefGroup) ||
      CONTEXTS.indexOf(x.context) - CONTEXTS.indexOf(z.context),
  );

  const family = (r: (typeof rows)[number]) =>
    opts.fdrFamily === "comparison"
      ? r.comparison
      : [r.comparison, r.model, r.dataset, r.beliefGroup].join("\u0000");
  const families = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const f = family(r);
    if (!families.has(f)) families.set(f, []);
    families.get(f)!.push(i);
  });
  const pFdr: (number | null)[] = rows.map(() => null);
  const sig: (boolean | null)[] = rows.map(() => null);
  for (const idx of families.values()) {
    const res = benjaminiHochberg(
      idx.map((i) => rows[i]!.p),
      opts.alpha ?? 0.05,
    );
    idx.forEach((i, k) => {
      pFdr[i] = res.adjusted[k]!;
      sig[i] = res.rejected[k]!;
    });
  }
  return rows.map((r, i) => ({ ...r, pFdr: pFdr[i]!, significantFdr: sig[i]! }));
}
