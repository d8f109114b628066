/**
 * Logistic regression (binomial GLM, logit link) fitted by iteratively
 * reweighted least squares, replicating statsmodels' `GLM(...).fit()` step for
 * step so that estimates agree to floating-point noise:
 *  - start from μ = (y + ½)/2 (statsmodels' binomial `starting_mu`);
 *  - each iteration solves X'WX β = X'Wz with W = μ(1−μ) and
 *    z = η + (y−μ)/(μ(1−μ)), μ clipped to [ε, 1−ε] as statsmodels does;
 *  - stop when the deviance changes by ≤ `tol` (absolute, default 1e-8);
 *  - the reported (non-robust) covariance is (X'WX)⁻¹ with the weights of the
 *    *last iteration's start*, exactly like statsmodels, which refits that final
 *    WLS step to obtain `normalized_cov_params`.
 * Separation, non-convergence and aliased columns are detected and reported as
 * warnings; no NaN or Infinity leaves this function unflagged.
 */
import type { SparseDesign } from "./design.js";
import {
  cholesky,
  choleskyInverse,
  choleskySolve,
  type SquareMatrix,
  symmetrizeFromLower,
  zeros,
} from "./linalg.js";
import type { StatsWarning } from "./warnings.js";

const FLOAT_EPS = 2.220446049250313e-16;

export interface GlmOptions {
  /** Maximum IRLS iterations (statsmodels default 100). */
  readonly maxIter?: number;
  /** Absolute deviance-change tolerance (statsmodels default 1e-8). */
  readonly tol?: number;
}

export interface GlmFit {
  readonly names: readonly string[];
  readonly params: Float64Array;
  /** Non-robust covariance (binomial scale is 1). Aliased rows/columns are zero. */
  readonly cov: SquareMatrix;
  readonly aliased: readonly boolean[];
  readonly mu: Float64Array;
  readonly nobs: number;
  readonly rank: number;
  readonly dfModel: number;
  readonly dfResid: number;
  readonly llf: number;
  readonly llnull: number;
  readonly deviance: number;
  readonly pearsonChi2: number;
  /** Cox–Snell pseudo R², as statsmodels' `pseudo_rsquared(kind="cs")`. */
  readonly pseudoR2CS: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly warnings: readonly StatsWarning[];
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function expit(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clip(m: number): number {
  return Math.min(Math.max(m, FLOAT_EPS), 1 - FLOAT_EPS);
}

/**
 * Bernoulli deviance from the linear predictor (= −2·log-likelihood), summed
 * with Neumaier compensation. The convergence test compares successive
 * deviances to 1e-8 absolute; at 585k rows the deviance is ~6e5 and a naive
 * running sum carries rounding noise of that order, so without compensation
 * IRLS never "converges" (numpy's pairwise sum is what keeps statsmodels at 6).
 */
function devianceFromEta(y: ArrayLike<number>, eta: Float64Array): number {
  let s = 0;
  let comp = 0;
  for (let i = 0; i < eta.length; i++) {
    const v = softplus(eta[i]!) - y[i]! * eta[i]!;
    const t = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return 2 * (s + comp);
}

/** Accumulates X'WX (lower triangle, then symmetrised) and X'Wz over a sparse design. */
export function weightedCrossProducts(
  x: SparseDesign,
  w: Float64Array,
  z: Float64Array | null,
): { xtwx: SquareMatrix; xtwz: Float64Array } {
  const { n, p, slots: S, col, val } = x;
  const xtwx = zeros(p);
  const A = xtwx.data;
  const xtwz = new Float64Array(p);
  if (val === null) {
    // Purely categorical design: every non-empty slot is a 1, so the inner loop
    // is just index arithmetic (the common case, and the hot path at 585k rows).
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      const base = i * S;
      const wz = z ? wi * z[i]! : 0;
      for (let a = 0; a < S; a++) {
        const ca = col[base + a]!;
        if (ca < 0) continue;
        xtwz[ca]! += wz;
        const row = ca * p;
        for (let b = 0; b <= a; b++) {
          const cb = col[base + b]!;
          if (cb < 0) continue;
          // Subterm columns increase with slot order, so ca ≥ cb: lower triangle.
          A[row + cb]! += wi;
        }
      }
    }
    symmetrizeFromLower(xtwx);
    return { xtwx, xtwz };
  }
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    const base = i * S;
    for (let a = 0; a < S; a++) {
      const ca = col[base + a]!;
      if (ca < 0) continue;
      const wa = wi * val[base + a]!;
      if (z) xtwz[ca]! += wa * z[i]!;
      for (let b = 0; b <= a; b++) {
        const cb = col[base + b]!;
        if (cb < 0) continue;
        A[ca * p + cb]! += wa * val[base + b]!;
      }
    }
  }
  symmetrizeFromLower(xtwx);
  return { xtwx, xtwz };
}

function linearPredictor(x: SparseDesign, beta: Float64Array, out: Float64Array): void {
  const { n, slots: S, col, val } = x;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * S;
    for (let k = 0; k < S; k++) {
      const c = col[base + k]!;
      if (c >= 0) s += val ? beta[c]! * val[base + k]! : beta[c]!;
    }
    out[i] = s;
  }
}

export function fitLogit(
  x: SparseDesign,
  y: ArrayLike<number>,
  names: readonly string[],
  opts: GlmOptions = {},
): GlmFit {
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-8;
  const { n, p } = x;
  if (y.length !== n) throw new RangeError(`fitLogit: y has ${y.length} rows, design has ${n}`);
  if (n === 0) throw new RangeError("fitLogit: no rows to fit");
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1)
      throw new RangeError(`fitLogit: response must be 0/1, row ${i} is ${v}`);
  }
  const warnings: StatsWarning[] = [];
  const mu = new Float64Array(n);
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mu[i] = (y[i]! + 0.5) / 2;
    const m = clip(mu[i]!);
    eta[i] = Math.log(m / (1 - m));
  }
  let devPrev = devianceFromEta(y, eta);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  let params: Float64Array = new Float64Array(p);
  let lastXtwx: SquareMatrix | null = null;
  let aliased: boolean[] = new Array<boolean>(p).fill(false);
  let converged = false;
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    for (let i = 0; i < n; i++) {
      const m = clip(mu[i]!);
      const v = m * (1 - m);
      w[i] = v;
      z[i] = eta[i]! + (y[i]! - mu[i]!) / v;
    }
    const { xtwx, xtwz } = weightedCrossProducts(x, w, z);
    const chol = cholesky(xtwx);
    params = choleskySolve(chol.l, chol.aliased, xtwz);
    aliased = chol.aliased;
    lastXtwx = xtwx;
    linearPredictor(x, params, eta);
    for (let i = 0; i < n; i++) mu[i] = expit(eta[i]!);
    iterations = it + 1;
    const dev = devianceFromEta(y, eta);
    if (Math.abs(devPrev - dev) <= tol) {
      converged = true;
      devPrev = dev;
      break;
    }
    devPrev = dev;
  }
  const chol = cholesky(lastXtwx!);
  const cov = choleskyInverse(chol.l, chol.aliased);

  const deviance = devPrev;
  const llf = -deviance / 2;
  let ySum = 0;
  let pearson = 0;
  let extreme = 0;
  for (let i = 0; i < n; i++) {
    ySum += y[i]!;
    const m = clip(mu[i]!);
    pearson += (y[i]! - mu[i]!) ** 2 / (m * (1 - m));
    if (mu[i]! < 1e-8 || mu[i]! > 1 - 1e-8) extreme++;
  }
  const ybar = ySum / n;
  const llnull =
    ybar > 0 && ybar < 1 ? n * (ybar * Math.log(ybar) + (1 - ybar) * Math.log(1 - ybar)) : 0;
  const rank = aliased.filter((a) => !a).length;

  const aliasedNames = names.filter((_, j) => aliased[j]);
  if (aliasedNames.length > 0) {
    warnings.push({
      code: "rank_deficient",
      message: `design is rank deficient: ${aliasedNames.length} column(s) are linear combinations of earlier ones and were dropped`,
      terms: aliasedNames,
    });
  }
  const separated = separatedColumns(x, y, names);
  if (separated.length > 0) {
    warnings.push({
      code: "separation",
      message:
        "perfect (quasi-)separation: every row with these columns has the same outcome, so their coefficients diverge; estimates and SEs for them are not meaningful",
      terms: separated,
    });
  }
  if (extreme > 0) {
    warnings.push({
      code: "fitted_extreme",
      message: `fitted probabilities numerically 0 or 1 for ${extreme} row(s): possible quasi-separation`,
    });
  }
  if (!converged) {
    warnings.push({
      code: "nonconvergence",
      message: `IRLS did not converge in ${maxIter} iterations (deviance change > ${tol})`,
    });
  }
  const finite =
    [...params].every(Number.isFinite) &&
    [...cov.data].every(Number.isFinite) &&
    Number.isFinite(deviance);
  if (!finite) warnings.push({ code: "non_finite", message: "the fit produced non-finite values" });

  return {
    names,
    params,
    cov,
    aliased,
    mu,
    nobs: n,
    rank,
    dfModel: rank - 1,
    dfResid: n - rank,
    llf,
    llnull,
    deviance,
    pearsonChi2: pearson,
    pseudoR2CS: 1 - Math.exp((2 / n) * (llnull - llf)),
    iterations,
    converged,
    warnings,
  };
}

/**
 * Indicator columns whose rows all share one outcome. For such a column the
 * likelihood keeps increasing as its coefficient goes to ±∞ without affecting
 * any other row, so it is separated whatever the rest of the model.
 */
function separatedColumns(
  x: SparseDesign,
  y: ArrayLike<number>,
  names: readonly string[],
): string[] {
  const { n, p, slots: S, col, val } = x;
  const count = new Float64Array(p);
  const ones = new Float64Array(p);
  const nonIndicator = new Uint8Array(p);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < S; k++) {
      const c = col[i * S + k]!;
      if (c < 0) continue;
      if (val && val[i * S + k] !== 1) nonIndicator[c] = 1;
      count[c]! += 1;
      ones[c]! += y[i]!;
    }
  }
  const out: string[] = [];
  for (let c = 0; c < p; c++) {
    if (nonIndicator[c] || count[c] === 0) continue;
    if (ones[c] === 0 || ones[c] === count[c]) out.push(names[c]!);
  }
  return out;
}
