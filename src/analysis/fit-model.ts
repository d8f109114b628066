/**
 * Runs one study model on a frame: select rows, build the design, fit by IRLS,
 * choose the covariance (non-robust as in the study, or clustered by item), and
 * derive the coefficient table, the fine-tuning AMEs (in probability units;
 * callers show percentage points) and the log-odds contrasts the authors tested.
 */
import { clusterRobustCovCells } from "../stats/covariance.js";
import { buildDesign, type DesignInfo, designInfo, type Override } from "../stats/design.js";
import { allRows, type Frame, getCategorical, presentLevels, selectRows } from "../stats/frame.js";
import { fitLogit, type GlmFit } from "../stats/glm.js";
import type { SquareMatrix } from "../stats/linalg.js";
import {
  type AmeOptions,
  averageMarginalEffect,
  effectDifference,
  type MarginalEffect,
} from "../stats/margins.js";
import {
  type CoefRow,
  coefficientTable,
  contrastVector,
  linearCombination,
  type WaldResult,
} from "../stats/wald.js";
import type { StatsWarning } from "../stats/warnings.js";
import { type FitData, patternData, rowData } from "./fit-data.js";
import { formulaOf, type ModelId, type StudyModel, studyModel, TREATMENT } from "./models.js";
import { isPatternTable, type PatternTable, patternsFromFrame } from "./patterns.js";

export type CovType = "nonrobust" | "cluster";

export interface EffectRow extends WaldResult {
  readonly label: string;
  readonly n: number;
  readonly meanTreated: number;
  readonly meanControl: number;
}

export interface ContrastRow extends WaldResult {
  readonly label: string;
}

export interface ModelResult {
  readonly id: ModelId;
  readonly title: string;
  readonly formula: string;
  readonly filter: string;
  readonly covType: CovType;
  readonly nobs: number;
  readonly nClusters: number | null;
  readonly coefficients: readonly CoefRow[];
  readonly fit: Pick<
    GlmFit,
    | "llf"
    | "llnull"
    | "deviance"
    | "pearsonChi2"
    | "pseudoR2CS"
    | "dfModel"
    | "dfResid"
    | "iterations"
    | "converged"
  >;
  /** Average marginal effects, probability scale (×100 for percentage points). */
  readonly marginalEffects: readonly EffectRow[];
  /** Differences between AMEs (e.g. user_opinion − original), probability scale. */
  readonly effectContrasts: readonly ContrastRow[];
  /** Linear combinations of coefficients on the log-odds scale (the authors' tests). */
  readonly logOddsContrasts: readonly ContrastRow[];
  readonly warnings: readonly StatsWarning[];
}

export interface FitOptions {
  readonly covType?: CovType;
  readonly level?: number;
  /** Rows of the frame to consider (e.g. one comparison); default all. */
  readonly rows?: Int32Array;
  /**
   * "rows" forces the row-level fit (one design row per response) for a frame;
   * the default fits categorical models on covariate patterns. Same estimates.
   */
  readonly path?: "patterns" | "rows";
}

function effectRow(label: string, me: MarginalEffect): EffectRow {
  const { gradient: _g, ...rest } = me;
  return { label, ...rest };
}

/**
 * Fits one study model. `data` is a row-level frame or, faster, its covariate
 * patterns (patterns.ts); categorical models always run on patterns, and only a
 * model with response length falls back to rows. `opts.rows` selects rows of
 * whichever `data` is given.
 */
export function fitStudyModel(
  data: Frame | PatternTable,
  id: ModelId,
  opts: FitOptions = {},
): ModelResult {
  const spec = studyModel(id).spec;
  const numericCovariate = spec.terms.flat().some((t) => spec.factors[t]?.kind === "numeric");
  if (isPatternTable(data)) {
    const rows = opts.rows ?? allRows(data.frame.n);
    if (!numericCovariate) return fitOn(patternData(data, rows), id, opts);
    if (!data.rowFrame)
      throw new RangeError(
        `${id}: needs per-response lengths, which this aggregated source does not keep`,
      );
    if (opts.rows)
      throw new RangeError(`${id}: row selection on aggregated patterns needs per-response rows`);
    return fitOn(rowData(data.rowFrame.frame, data.rowFrame.rows), id, opts);
  }
  const rows = opts.rows ?? allRows(data.n);
  if (numericCovariate || opts.path === "rows") return fitOn(rowData(data, rows), id, opts);
  const table = patternsFromFrame(data, rows);
  return fitOn(patternData(table, allRows(table.frame.n)), id, opts);
}

function fitOn(data: FitData, id: ModelId, opts: FitOptions): ModelResult {
  const level = opts.level ?? 0.95;
  const covType = opts.covType ?? "nonrobust";
  const { frame } = data;
  let rows = data.rows;
  const datasets = presentLevels(getCategorical(frame, "dataset"), rows);
  const model: StudyModel = studyModel(
    id,
    datasets.includes("disinfo") ? "disinfo" : [...datasets].sort()[0],
  );
  for (const f of model.filters) rows = selectRows(frame, rows, f.column, f.levels);
  if (rows.length === 0) throw new RangeError(`${id}: no rows match ${describeFilters(model)}`);

  const warnings: StatsWarning[] = [];
  if (!datasets.includes("disinfo")) {
    warnings.push({
      code: "reference_level",
      message: `no Disinfo rows: dataset reference level is '${model.spec.factors.dataset!.reference}' instead`,
    });
  }
  const info = designInfo(model.spec, frame, rows);
  const ftLevels = info.levels.get("ft")?.levels ?? [];
  if (!(ftLevels.includes("0") && ftLevels.includes("1"))) {
    warnings.push({
      code: "rank_deficient",
      message: `only is_finetuned=${ftLevels.join(",")} rows: no fine-tuning effect can be estimated`,
    });
  }
  const x = buildDesign(info, frame, rows);
  const y = Float64Array.from(rows, (r) => data.successes[r]!);
  const counts = data.counts ? Float64Array.from(rows, (r) => data.counts![r]!) : null;
  const fit = fitLogit(x, y, info.names, counts ? { counts } : {});
  warnings.push(...fit.warnings);

  let cov: SquareMatrix = fit.cov;
  let nClusters: number | null = null;
  if (covType === "cluster") {
    // Map frame rows to design rows; entries of unselected rows drop out.
    const designRow = new Int32Array(frame.n).fill(-1);
    rows.forEach((r, k) => {
      designRow[r] = k;
    });
    const all = data.cells();
    const keep: number[] = [];
    for (let e = 0; e < all.row.length; e++) if (designRow[all.row[e]!]! >= 0) keep.push(e);
    const cl = clusterRobustCovCells(x, counts, fit.mu, {
      row: Int32Array.from(keep, (e) => designRow[all.row[e]!]!),
      cluster: Int32Array.from(keep, (e) => all.cluster[e]!),
      count: Float64Array.from(keep, (e) => all.count[e]!),
      successes: Float64Array.from(keep, (e) => all.successes[e]!),
    });
    cov = cl.cov;
    nClusters = cl.nClusters;
    warnings.push(...cl.warnings);
  }

  const coefficients = coefficientTable(info.names, fit.params, cov, fit.aliased, level).map(
    (c, j) =>
      fit.separated[j] ? { ...c, se: null, z: null, p: null, ciLower: null, ciUpper: null } : c,
  );
  const ame: AmeContext = {
    info,
    params: fit.params,
    cov,
    frame,
    level,
    opts: {
      ...(data.counts ? { weights: data.counts } : {}),
      separatingDirections: fit.separatingDirections,
    },
  };
  const { effects, contrasts } = marginalEffects(model, ame, rows);
  return {
    id,
    title: model.title,
    formula: formulaOf(model.spec),
    filter: describeFilters(model),
    covType,
    nobs: fit.nobs,
    nClusters,
    coefficients,
    fit: {
      llf: fit.llf,
      llnull: fit.llnull,
      deviance: fit.deviance,
      pearsonChi2: fit.pearsonChi2,
      pseudoR2CS: fit.pseudoR2CS,
      dfModel: fit.dfModel,
      dfResid: fit.dfResid,
      iterations: fit.iterations,
      converged: fit.converged,
    },
    marginalEffects: effects,
    effectContrasts: contrasts,
    logOddsContrasts: logOddsContrasts(
      model,
      info,
      fit.params,
      cov,
      level,
      fit.separatingDirections,
    ),
    warnings,
  };
}

interface AmeContext {
  readonly info: DesignInfo;
  readonly params: Float64Array;
  readonly cov: SquareMatrix;
  readonly frame: Frame;
  readonly level: number;
  readonly opts: AmeOptions;
}

function ameOf(
  c: AmeContext,
  rows: Int32Array,
  treated: readonly Override[],
  control: readonly Override[],
): MarginalEffect {
  return averageMarginalEffect(
    c.info,
    c.params,
    c.cov,
    c.frame,
    rows,
    treated,
    control,
    c.level,
    c.opts,
  );
}

function describeFilters(model: StudyModel): string {
  if (model.filters.length === 0) return "all rows";
  return model.filters.map((f) => `${f.column} in [${f.levels.join(", ")}]`).join(" and ");
}

function marginalEffects(
  model: StudyModel,
  c: AmeContext,
  rows: Int32Array,
): { effects: EffectRow[]; contrasts: ContrastRow[] } {
  const { info, cov, frame, level } = c;
  const effects: EffectRow[] = [];
  const contrasts: ContrastRow[] = [];
  const ft1 = [{ column: TREATMENT, level: "1" }];
  const ft0 = [{ column: TREATMENT, level: "0" }];
  const ftLevels = info.levels.get("ft")!.levels;
  if (!ftLevels.includes("0") || !ftLevels.includes("1")) return { effects, contrasts };

  effects.push(effectRow("fine-tuning (all rows)", ameOf(c, rows, ft1, ft0)));
  if (model.effectsBy) {
    const { column, reference } = model.effectsBy;
    const levels = info.levels.get(
      Object.entries(model.spec.factors).find(([, f]) => f.column === column)![0],
    )!.levels;
    const byLevel = new Map<string, MarginalEffect>();
    for (const lv of levels) {
      const sub = selectRows(frame, rows, column, [lv]);
      if (sub.length === 0) continue;
      const me = ameOf(c, sub, ft1, ft0);
      byLevel.set(lv, me);
      effects.push(effectRow(`fine-tuning | ${column}=${lv}`, me));
    }
    const ref = byLevel.get(reference);
    if (ref) {
      for (const [lv, me] of byLevel) {
        if (lv === reference) continue;
        contrasts.push({
          label: `${column}=${lv} − ${reference}`,
          ...effectDifference(me, ref, cov, level),
        });
      }
    }
  }
  if (model.datasetEffects) {
    const ref = info.levels.get("dataset")!.reference;
    for (const lv of info.levels.get("dataset")!.levels) {
      if (lv === ref) continue;
      const me = ameOf(
        c,
        rows,
        [{ column: "dataset", level: lv }],
        [{ column: "dataset", level: ref }],
      );
      effects.push(effectRow(`dataset: ${lv} vs ${ref}`, me));
    }
  }
  if (model.lengthEffect) {
    // The authors' definition: predicted change from 50 characters shorter to 50 longer.
    const me = ameOf(
      c,
      rows,
      [{ column: "response_length", add: 50 }],
      [{ column: "response_length", add: -50 }],
    );
    effects.push(effectRow("response length (+100 characters)", me));
  }
  return { effects, contrasts };
}

function logOddsContrasts(
  model: StudyModel,
  info: DesignInfo,
  params: Float64Array,
  cov: SquareMatrix,
  level: number,
  separating: readonly Float64Array[],
): ContrastRow[] {
  const names = info.names;
  const ft = names.find(
    (n) => n.startsWith("C(is_finetuned") && n.endsWith("[T.1]") && !n.includes(":"),
  );
  if (!ft) return [];
  const rows: ContrastRow[] = [];
  const add = (label: string, weights: Record<string, number>) => {
    const v = contrastVector(names, weights);
    // A combination that moves along a separating direction diverges with it.
    const diverges = separating.some(
      (d) => Math.abs(d.reduce((s, dj, j) => s + dj * v[j]!, 0)) > 1e-6,
    );
    const result = linearCombination(params, cov, v, level);
    rows.push(
      diverges
        ? { label, ...result, se: null, z: null, p: null, ciLower: null, ciUpper: null }
        : { label, ...result },
    );
  };
  if (model.id === "model4") {
    const base = names.find((n) => n.includes("[0]:") && n.includes("prompt_group"));
    const treated = names.find((n) => n.includes("[1]:") && n.includes("prompt_group"));
    add("fine-tuning | original (log-odds)", { [ft]: 1 });
    if (base && treated) {
      add("fine-tuning | user_opinion (log-odds)", { [ft]: 1, [treated]: 1, [base]: -1 });
      add("extra fine-tuning effect with a user belief (log-odds)", { [treated]: 1, [base]: -1 });
    }
    return rows;
  }
  if (!model.effectsBy) {
    add("fine-tuning (log-odds)", { [ft]: 1 });
    return rows;
  }
  add(`fine-tuning | ${model.effectsBy.column}=${model.effectsBy.reference} (log-odds)`, {
    [ft]: 1,
  });
  for (const n of names) {
    if (!n.startsWith(`${ft}:`)) continue;
    const lv = n.slice(n.lastIndexOf("[T.") + 3, -1);
    add(`fine-tuning | ${model.effectsBy.column}=${lv} (log-odds)`, { [ft]: 1, [n]: 1 });
  }
  return rows;
}
