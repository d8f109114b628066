/**
 * Language × treatment (issue #15): does warmth cost more accuracy in some languages than in
 * others? A binomial GLM `is_incorrect ~ ft * language` on one comparison's judged responses,
 * fitted on covariate patterns (language × ft) with item-clustered standard errors, plus a
 * joint Wald test of the interaction and the raw per-language gap. Pure: cells in, numbers out.
 */
import { chi2Sf } from "../stats/chi2.js";
import { clusterRobustCovCells } from "../stats/covariance.js";
import { buildDesign, designInfo, type ModelSpec } from "../stats/design.js";
import { allRows, categorical, makeFrame } from "../stats/frame.js";
import { fitLogit } from "../stats/glm.js";
import { cholesky, choleskyInverse, type SquareMatrix } from "../stats/linalg.js";
import { type CoefRow, coefficientTable } from "../stats/wald.js";
import type { StatsWarning } from "../stats/warnings.js";
import type { CovType } from "./fit-model.js";

/** Judged responses of one language, arm and item. */
export interface LanguageCell {
  readonly language: string;
  /** 1: the treatment subject (e.g. warm), 0: its reference. */
  readonly treated: 0 | 1;
  /** Item cluster key (task and item id). */
  readonly item: string;
  readonly count: number;
  readonly incorrect: number;
}

export interface LanguageArm {
  readonly n: number;
  readonly incorrect: number;
  readonly rate: number | null;
}

/** Raw error rates per language: treatment − reference, probability scale. */
export interface LanguageGap {
  readonly language: string;
  readonly reference: LanguageArm;
  readonly treatment: LanguageArm;
  readonly gap: number | null;
}

export interface LanguageModelResult {
  readonly formula: string;
  readonly referenceLanguage: string;
  readonly covType: CovType;
  readonly nobs: number;
  readonly nClusters: number | null;
  readonly coefficients: readonly CoefRow[];
  /** Joint Wald test that every ft × language coefficient is zero. */
  readonly interaction: {
    readonly terms: readonly string[];
    readonly chi2: number | null;
    readonly df: number;
    readonly p: number | null;
  };
  readonly gaps: readonly LanguageGap[];
  readonly warnings: readonly StatsWarning[];
}

export interface LanguageModelOptions {
  readonly covType?: CovType;
  readonly level?: number;
  /** Reference level of language (default: en when present, else the first in sort order). */
  readonly referenceLanguage?: string;
}

function arm(n: number, incorrect: number): LanguageArm {
  return { n, incorrect, rate: n > 0 ? incorrect / n : null };
}

/** Per-language raw error rates of both arms and their difference. */
export function languageGaps(cells: readonly LanguageCell[]): LanguageGap[] {
  const acc = new Map<string, [number, number, number, number]>();
  for (const c of cells) {
    const a = acc.get(c.language) ?? [0, 0, 0, 0];
    a[c.treated * 2] = (a[c.treated * 2] ?? 0) + c.count;
    a[c.treated * 2 + 1] = (a[c.treated * 2 + 1] ?? 0) + c.incorrect;
    acc.set(c.language, a);
  }
  return [...acc.keys()].sort().map((language) => {
    const [n0, e0, n1, e1] = acc.get(language)!;
    const reference = arm(n0, e0);
    const treatment = arm(n1, e1);
    const gap =
      reference.rate !== null && treatment.rate !== null ? treatment.rate - reference.rate : null;
    return { language, reference, treatment, gap };
  });
}

export function fitLanguageModel(
  cells: readonly LanguageCell[],
  opts: LanguageModelOptions = {},
): LanguageModelResult {
  const kept = cells.filter((c) => c.count > 0);
  const languages = [...new Set(kept.map((c) => c.language))].sort();
  if (languages.length < 2) {
    throw new RangeError(`language model: needs at least two languages, found ${languages.length}`);
  }
  const referenceLanguage =
    opts.referenceLanguage ?? (languages.includes("en") ? "en" : languages[0]!);
  const level = opts.level ?? 0.95;
  const covType = opts.covType ?? "nonrobust";

  // Covariate patterns (language × arm) with their counts, and pattern × item entries.
  const patternIndex = new Map<string, number>();
  const patLanguage: string[] = [];
  const patFt: string[] = [];
  const counts: number[] = [];
  const successes: number[] = [];
  const itemIndex = new Map<string, number>();
  const entryRow: number[] = [];
  const entryCluster: number[] = [];
  for (const c of kept) {
    const key = `${c.language}\u0000${c.treated}`;
    let p = patternIndex.get(key);
    if (p === undefined) {
      p = patLanguage.length;
      patternIndex.set(key, p);
      patLanguage.push(c.language);
      patFt.push(String(c.treated));
      counts.push(0);
      successes.push(0);
    }
    counts[p]! += c.count;
    successes[p]! += c.incorrect;
    let g = itemIndex.get(c.item);
    if (g === undefined) {
      g = itemIndex.size;
      itemIndex.set(c.item, g);
    }
    entryRow.push(p);
    entryCluster.push(g);
  }
  const frame = makeFrame({ is_finetuned: categorical(patFt), language: categorical(patLanguage) });
  const spec: ModelSpec = {
    factors: {
      ft: { column: "is_finetuned", kind: "categorical", reference: "0" },
      language: { column: "language", kind: "categorical", reference: referenceLanguage },
    },
    terms: [["ft"], ["language"], ["ft", "language"]],
    intercept: true,
  };
  const rows = allRows(frame.n);
  const info = designInfo(spec, frame, rows);
  const x = buildDesign(info, frame, rows);
  const countArr = Float64Array.from(counts);
  const fit = fitLogit(x, Float64Array.from(successes), info.names, { counts: countArr });
  const warnings: StatsWarning[] = [...fit.warnings];
  let cov: SquareMatrix = fit.cov;
  let nClusters: number | null = null;
  if (covType === "cluster") {
    const cl = clusterRobustCovCells(x, countArr, fit.mu, {
      row: Int32Array.from(entryRow),
      cluster: Int32Array.from(entryCluster),
      count: Float64Array.from(kept, (c) => c.count),
      successes: Float64Array.from(kept, (c) => c.incorrect),
    });
    cov = cl.cov;
    nClusters = cl.nClusters;
    warnings.push(...cl.warnings);
  }
  const coefficients = coefficientTable(info.names, fit.params, cov, fit.aliased, level).map(
    (c, j) =>
      fit.separated[j] ? { ...c, se: null, z: null, p: null, ciLower: null, ciUpper: null } : c,
  );
  const interactionIdx = info.names
    .map((name, j) => ({ name, j }))
    .filter(({ name, j }) => name.includes(":") && !fit.aliased[j] && !fit.separated[j]);
  return {
    formula: `is_incorrect ~ C(is_finetuned, Treatment(reference=0)) * C(language, Treatment(reference='${referenceLanguage}'))`,
    referenceLanguage,
    covType,
    nobs: fit.nobs,
    nClusters,
    coefficients,
    interaction: {
      terms: interactionIdx.map((t) => t.name),
      ...jointWald(
        interactionIdx.map((t) => t.j),
        fit.params,
        cov,
      ),
    },
    gaps: languageGaps(kept),
    warnings,
  };
}

/** W = b' V⁻¹ b over the given coefficients, χ² with as many degrees of freedom. */
function jointWald(
  idx: readonly number[],
  params: Float64Array,
  cov: SquareMatrix,
): { chi2: number | null; df: number; p: number | null } {
  const k = idx.length;
  if (k === 0) return { chi2: null, df: 0, p: null };
  const sub: SquareMatrix = { p: k, data: new Float64Array(k * k) };
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) sub.data[a * k + b] = cov.data[idx[a]! * cov.p + idx[b]!]!;
  const { l, aliased } = cholesky(sub);
  if (aliased.some(Boolean)) return { chi2: null, df: k, p: null };
  const inv = choleskyInverse(l, aliased);
  let w = 0;
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) w += params[idx[a]!]! * inv.data[a * k + b]! * params[idx[b]!]!;
  return Number.isFinite(w) ? { chi2: w, df: k, p: chi2Sf(w, k) } : { chi2: null, df: k, p: null };
}
