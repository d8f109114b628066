/**
 * Average marginal effects by counterfactual prediction, the study's way:
 * predict every row with the treatment set to one value and to another, and
 * average the difference in predicted probability. Standard errors by the delta
 * method with the rows held fixed: the gradient of the AME with respect to β is
 *   g = mean_i [ μ1_i(1−μ1_i) x1_i − μ0_i(1−μ0_i) x0_i ],
 * and Var(AME) = gᵀ V g for the chosen coefficient covariance V.
 */
import {
  buildDesign,
  type DesignInfo,
  linearPredictor,
  type Override,
  type SparseDesign,
} from "./design.js";
import type { Frame } from "./frame.js";
import { quadraticForm, type SquareMatrix } from "./linalg.js";
import { touchesSeparation } from "./separation.js";
import { type WaldResult, wald } from "./wald.js";

export interface MarginalEffect extends WaldResult {
  /** Rows averaged over. */
  readonly n: number;
  /** Mean predicted probability under `treated` and under `control`. */
  readonly meanTreated: number;
  readonly meanControl: number;
  /** ∂AME/∂β, kept so contrasts between effects get correct standard errors. */
  readonly gradient: Float64Array;
  /** Set when the effect depends on separated (diverging) coefficients and is suppressed. */
  readonly separated?: true;
}

export interface AmeOptions {
  /** Responses each row stands for (covariate patterns); default 1. */
  readonly weights?: ArrayLike<number>;
  /** From the fit: effects whose predictions move along these directions are suppressed. */
  readonly separatingDirections?: readonly Float64Array[];
}

function accumulate(
  x: SparseDesign,
  eta: Float64Array,
  sign: number,
  grad: Float64Array,
  weights: ArrayLike<number> | null,
): number {
  const { n, slots: S, col, val } = x;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const m = 1 / (1 + Math.exp(-eta[i]!));
    const wi = weights ? weights[i]! : 1;
    sum += wi * m;
    const d = sign * wi * m * (1 - m);
    for (let k = 0; k < S; k++) {
      const c = col[i * S + k]!;
      if (c >= 0) grad[c]! += d * (val ? val[i * S + k]! : 1);
    }
  }
  return sum;
}

/**
 * AME of switching from `control` to `treated` over `rows`, e.g.
 * treated = [{column: "is_finetuned", level: "1"}], control = [{..., level: "0"}].
 */
export function averageMarginalEffect(
  info: DesignInfo,
  params: Float64Array,
  cov: SquareMatrix,
  frame: Frame,
  rows: Int32Array,
  treated: readonly Override[],
  control: readonly Override[],
  level = 0.95,
  opts: AmeOptions = {},
): MarginalEffect {
  if (rows.length === 0) throw new RangeError("averageMarginalEffect: no rows");
  // Pattern rows stand for `weights[r]` responses each: the average is over responses.
  const w = opts.weights ? Float64Array.from(rows, (r) => opts.weights![r]!) : null;
  const n = w ? w.reduce((a, b) => a + b, 0) : rows.length;
  const grad = new Float64Array(info.p);
  const x1 = buildDesign(info, frame, rows, treated);
  const s1 = accumulate(x1, linearPredictor(x1, params), 1, grad, w);
  const x0 = buildDesign(info, frame, rows, control);
  const s0 = accumulate(x0, linearPredictor(x0, params), -1, grad, w);
  const dirs = opts.separatingDirections ?? [];
  if (touchesSeparation(x1, dirs) || touchesSeparation(x0, dirs)) {
    // A prediction that rides a diverging direction sits at 0 or 1 only because
    // the fit stopped there: no estimate or uncertainty is reported for it.
    const none = { estimate: null, se: null, z: null, p: null, ciLower: null, ciUpper: null };
    return {
      ...none,
      n,
      meanTreated: s1 / n,
      meanControl: s0 / n,
      gradient: grad.fill(Number.NaN),
      separated: true,
    };
  }
  for (let j = 0; j < grad.length; j++) grad[j]! /= n;
  const estimate = (s1 - s0) / n;
  return {
    ...wald(estimate, quadraticForm(cov, grad), level),
    n,
    meanTreated: s1 / n,
    meanControl: s0 / n,
    gradient: grad,
  };
}

/** Difference of two marginal effects from the same fit (a − b), delta-method SE. */
export function effectDifference(
  a: MarginalEffect,
  b: MarginalEffect,
  cov: SquareMatrix,
  level = 0.95,
): WaldResult {
  const g = new Float64Array(a.gradient.length);
  for (let j = 0; j < g.length; j++) g[j] = a.gradient[j]! - b.gradient[j]!;
  const est = (a.estimate ?? Number.NaN) - (b.estimate ?? Number.NaN);
  return wald(est, quadraticForm(cov, g), level);
}
