/**
 * Runs one study model on a frame: select rows, build the design, fit by IRLS,
 * choose the covariance (non-robust as in the study, or clustered by item), and
 * derive the coefficient table, the fine-tuning AMEs (in probability units;
 * callers show percentage points) and the log-odds contrasts the authors tested.
 */
import { clusterRobustCov } from "../stats/covariance.js";
import { buildDesign, type DesignInfo, designInfo } from "../stats/design.js";
import {
  allRows,
  type Frame,
  getCategorical,
  getNumeric,
  presentLevels,
  selectRows,
} from "../stats/frame.js";
import { fitLogit, type GlmFit } from "../stats/glm.js";
import type { SquareMatrix } from "../stats/linalg.js";
import { averageMarginalEffect, effectDifference, type MarginalEffect } from "../stats/margins.js";
import {
  type CoefRow,
  coefficientTable,
  contrastVector,
  linearCombination,
  type WaldResult,
} from "../stats/wald.js";
import type { StatsWarning } from "../stats/warnings.js";
import { formulaOf, type ModelId, type StudyModel, studyModel, TREATMENT } from "./models.js";

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
}

/** Dense cluster codes for (dataset, item_id) pairs among `rows`. */
export function itemClusters(frame: Frame, rows: Int32Array): Int32Array {
  const ds = getCategorical(frame, "dataset");
  const item = getCategorical(frame, "item_id");
  const index = new Map<number, number>();
  const out = new Int32Array(rows.length);
  const stride = item.levels.length;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    const key = ds.codes[r]! * stride + item.codes[r]!;
    let c = index.get(key);
    if (c === undefined) {
      c = index.size;
      index.set(key, c);
    }
    out[k] = c;
  }
  return out;
}

function effectRow(label: string, me: MarginalEffect): EffectRow {
  const { gradient: _g, ...rest } = me;
  return { label, ...rest };
}

export function fitStudyModel(frame: Frame, id: ModelId, opts: FitOptions = {}): ModelResult {
  const level = opts.level ?? 0.95;
  const covType = opts.covType ?? "nonrobust";
  let rows = opts.rows ?? allRows(frame.n);
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
      code: "rank_deficient",
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
  const yAll = getNumeric(frame, "is_incorrect").values;
  const y = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) y[k] = yAll[rows[k]!]!;
  const fit = fitLogit(x, y, info.names);
  warnings.push(...fit.warnings);

  let cov: SquareMatrix = fit.cov;
  let nClusters: number | null = null;
  if (covType === "cluster") {
    const cl = clusterRobustCov(x, y, fit.mu, itemClusters(frame, rows));
    cov = cl.cov;
    nClusters = cl.nClusters;
    warnings.push(...cl.warnings);
  }

  const coefficients = coefficientTable(info.names, fit.params, cov, fit.aliased, level);
  const { effects, contrasts } = marginalEffects(model, info, fit.params, cov, frame, rows, level);
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
    logOddsContrasts: logOddsContrasts(model, info, fit.params, cov, level),
    warnings,
  };
}

function describeFilters(model: StudyModel): string {
  if (model.filters.length === 0) return "all rows";
  return model.filters.map((f) => `${f.column} in [${f.levels.join(", ")}]`).join(" and ");
}

function marginalEffects(
  model: StudyModel,
  info: DesignInfo,
  params: Float64Array,
  cov: SquareMatrix,
  frame: Frame,
  rows: Int32Array,
  level: number,
): { effects: EffectRow[]; contrasts: ContrastRow[] } {
  const effects: EffectRow[] = [];
  const contrasts: ContrastRow[] = [];
  const ft1 = [{ column: TREATMENT, level: "1" }];
  const ft0 = [{ column: TREATMENT, level: "0" }];
  const ftLevels = info.levels.get("ft")!.levels;
  if (!ftLevels.includes("0") || !ftLevels.includes("1")) return { effects, contrasts };

  effects.push(
    effectRow(
      "fine-tuning (all rows)",
      averageMarginalEffect(info, params, cov, frame, rows, ft1, ft0, level),
    ),
  );
  if (model.effectsBy) {
    const { column, reference } = model.effectsBy;
    const levels = info.levels.get(
      Object.entries(model.spec.factors).find(([, f]) => f.column === column)![0],
    )!.levels;
    const byLevel = new Map<string, MarginalEffect>();
    for (const lv of levels) {
      const sub = selectRows(frame, rows, column, [lv]);
      if (sub.length === 0) continue;
      const me = averageMarginalEffect(info, params, cov, frame, sub, ft1, ft0, level);
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
      const me = averageMarginalEffect(
        info,
        params,
        cov,
        frame,
        rows,
        [{ column: "dataset", level: lv }],
        [{ column: "dataset", level: ref }],
        level,
      );
      effects.push(effectRow(`dataset: ${lv} vs ${ref}`, me));
    }
  }
  if (model.lengthEffect) {
    // The authors' definition: predicted change from 50 characters shorter to 50 longer.
    const me = averageMarginalEffect(
      info,
      params,
      cov,
      frame,
      rows,
      [{ column: "response_length", add: 50 }],
      [{ column: "response_length", add: -50 }],
      level,
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
): ContrastRow[] {
  const names = info.names;
  const ft = names.find(
    (n) => n.startsWith("C(is_finetuned") && n.endsWith("[T.1]") && !n.includes(":"),
  );
  if (!ft) return [];
  const rows: ContrastRow[] = [];
  const add = (label: string, weights: Record<string, number>) => {
    rows.push({ label, ...linearCombination(params, cov, contrastVector(names, weights), level) });
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
