/**
 * Wald inference on coefficients and on linear combinations of them, with
 * normal reference distribution (statsmodels GLM default: `use_t=False`).
 * Non-finite values are returned as null so they can never leak into output
 * as NaN/Infinity; callers see the fit's warnings for the reason.
 */
import type { SquareMatrix } from "./linalg.js";
import { quadraticForm } from "./linalg.js";
import { normalQuantile, twoSidedP } from "./normal.js";
import { finiteOrNull } from "./warnings.js";

export interface WaldResult {
  readonly estimate: number | null;
  readonly se: number | null;
  readonly z: number | null;
  readonly p: number | null;
  readonly ciLower: number | null;
  readonly ciUpper: number | null;
}

export interface CoefRow extends WaldResult {
  readonly name: string;
  /** True when the column was dropped as aliased (estimate/se are null). */
  readonly aliased: boolean;
}

/** Wald statistics for an estimate with a given variance. */
export function wald(estimate: number, variance: number, level = 0.95): WaldResult {
  const crit = normalQuantile(1 - (1 - level) / 2);
  const se = variance >= 0 ? Math.sqrt(variance) : Number.NaN;
  const z = estimate / se;
  return {
    estimate: finiteOrNull(estimate),
    se: finiteOrNull(se),
    z: finiteOrNull(z),
    p: finiteOrNull(twoSidedP(z)),
    ciLower: finiteOrNull(estimate - crit * se),
    ciUpper: finiteOrNull(estimate + crit * se),
  };
}

/** The familiar coefficient table: coef, SE, z, p, CI for every column. */
export function coefficientTable(
  names: readonly string[],
  params: Float64Array,
  cov: SquareMatrix,
  aliased: readonly boolean[],
  level = 0.95,
): CoefRow[] {
  return names.map((name, j) => {
    if (aliased[j]) {
      return {
        name,
        aliased: true,
        estimate: null,
        se: null,
        z: null,
        p: null,
        ciLower: null,
        ciUpper: null,
      };
    }
    return { name, aliased: false, ...wald(params[j]!, cov.data[j * cov.p + j]!, level) };
  });
}

/** Resolves `{name: weight}` into a weight vector over the design's columns. */
export function contrastVector(
  names: readonly string[],
  weights: Readonly<Record<string, number>>,
): Float64Array {
  const L = new Float64Array(names.length);
  for (const [name, w] of Object.entries(weights)) {
    const j = names.indexOf(name);
    if (j < 0) throw new RangeError(`linear combination: no coefficient named ${name}`);
    L[j] = w;
  }
  return L;
}

/** Wald test of Lᵀβ = 0 with SE √(LᵀVL) (statsmodels `t_test` on one row). */
export function linearCombination(
  params: Float64Array,
  cov: SquareMatrix,
  L: Float64Array,
  level = 0.95,
): WaldResult {
  let est = 0;
  for (let j = 0; j < L.length; j++) est += L[j]! * params[j]!;
  return wald(est, quadraticForm(cov, L), level);
}
