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
 * Rows may carry counts (binomial trials with `y` successes): a design row is
 * then a covariate pattern standing for `counts[i]` Bernoulli rows, and every
 * sum below is the row-level sum regrouped, including statsmodels' per-row
 * starting values (μ₀ = ¾ for a success, ¼ for a failure). This is what lets
 * the study's categorical models be fitted on a few hundred patterns instead
 * of 585k rows with the same iterations and estimates.
 *
 * The column set is decided once, from X'CX before the first iteration: under
 * (quasi-)separation the weights of separated rows shrink towards zero, and a
 * per-iteration aliasing test would then drop and re-admit their columns in
 * turn, so the fit would cycle instead of converging. With the columns fixed
 * the fit converges as statsmodels' does, and the diverging terms are found
 * afterwards (separation.ts) and flagged. No NaN or Infinity leaves unflagged.
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
import { diagnoseSeparation } from "./separation.js";
import type { StatsWarning } from "./warnings.js";

const FLOAT_EPS = 2.220446049250313e-16;

export interface GlmOptions {
  /** Maximum IRLS iterations (statsmodels default 100). */
  readonly maxIter?: number;
  /** Absolute deviance-change tolerance (statsmodels default 1e-8). */
  readonly tol?: number;
  /** Trials per design row (then `y` holds successes); default one Bernoulli row each. */
  readonly counts?: ArrayLike<number>;
}

export interface GlmFit {
  readonly names: readonly string[];
  readonly params: Float64Array;
  /** Non-robust covariance (binomial scale is 1). Aliased rows/columns are zero. */
  readonly cov: SquareMatrix;
  readonly aliased: readonly boolean[];
  readonly mu: Float64Array;
  /** Bernoulli rows represented (Σ counts). */
  readonly nobs: number;
  /** Per column: the coefficient diverges along a separating direction (its SE and p are meaningless). */
  readonly separated: readonly boolean[];
  /** Separating directions in coefficient space (empty when the MLE exists). */
  readonly separatingDirections: readonly Float64Array[];
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
function devianceFromEta(
  y: ArrayLike<number>,
  counts: ArrayLike<number> | null,
  eta: Float64Array,
): number {
  let s = 0;
  let comp = 0;
  for (let i = 0; i < eta.length; i++) {
    const v = (counts ? counts[i]! : 1) * softplus(eta[i]!) - y[i]! * eta[i]!;
    const t = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return 2 * (s + comp);
}

/**
 * Accumulates X'WX (lower triangle, then symmetrised) and X'Wz over a sparse
 * design; with `zWeighted` the caller passes the products w·z instead of z.
 */
export function weightedCrossProducts(
  x: SparseDesign,
  w: Float64Array,
  z: Float64Array | null,
  zWeighted = false,
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
      const wz = z ? (zWeighted ? z[i]! : wi * z[i]!) : 0;
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
      if (z) xtwz[ca]! += zWeighted ? val[base + a]! * z[i]! : wa * z[i]!;
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

/**
 * Cholesky of X'WX over a column set fixed in advance: a column is skipped
 * only if it is in `aliased`; a non-positive pivot elsewhere (a separated
 * column whose weights underflowed) is clamped to the smallest normal number
 * so its step stays finite instead of the column silently leaving the model.
 */
function fixedCholesky(a: SquareMatrix, aliased: readonly boolean[]): SquareMatrix {
  const { p } = a;
  const l = zeros(p);
  const L = l.data;
  const A = a.data;
  for (let j = 0; j < p; j++) {
    if (aliased[j]) continue;
    let d = A[j * p + j]!;
    for (let k = 0; k < j; k++) d -= L[j * p + k]! * L[j * p + k]!;
    const ljj = Math.sqrt(Math.max(d, A[j * p + j]! * FLOAT_EPS, Number.MIN_VALUE));
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      if (aliased[i]) continue;
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
      L[i * p + j] = s / ljj;
    }
  }
  return l;
}

function validate(y: ArrayLike<number>, counts: ArrayLike<number> | null, n: number): number {
  if (y.length !== n) throw new RangeError(`fitLogit: y has ${y.length} rows, design has ${n}`);
  if (n === 0) throw new RangeError("fitLogit: no rows to fit");
  if (!counts) {
    for (let i = 0; i < n; i++) {
      const v = y[i]!;
      if (v !== 0 && v !== 1)
        throw new RangeError(`fitLogit: response must be 0/1, row ${i} is ${v}`);
    }
    return n;
  }
  if (counts.length !== n)
    throw new RangeError(`fitLogit: counts has ${counts.length} rows, design has ${n}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    const v = y[i]!;
    if (!(Number.isInteger(c) && c > 0))
      throw new RangeError(`fitLogit: counts must be positive integers, row ${i} is ${c}`);
    if (!(Number.isInteger(v) && v >= 0 && v <= c))
      throw new RangeError(`fitLogit: successes must be integers in 0..${c}, row ${i} is ${v}`);
    total += c;
  }
  return total;
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
  const counts = opts.counts ?? null;
  const nobs = validate(y, counts, n);
  const cnt = (i: number) => (counts ? counts[i]! : 1);

  // The column set, once: aliasing is a property of the design, not of the weights.
  const ones = new Float64Array(n);
  for (let i = 0; i < n; i++) ones[i] = cnt(i);
  const aliased = cholesky(weightedCrossProducts(x, ones, null).xtwx).aliased;

  // statsmodels starts every Bernoulli row at μ = (y + ½)/2, so a pattern's
  // successes start at ¾ and its failures at ¼: regroup those two kinds of row.
  const mHi = clip(0.75);
  const mLo = clip(0.25);
  const etaHi = Math.log(mHi / (1 - mHi));
  const etaLo = Math.log(mLo / (1 - mLo));
  const w0Hi = mHi * (1 - mHi);
  const w0Lo = mLo * (1 - mLo);
  const zHi = etaHi + (1 - 0.75) / w0Hi;
  const zLo = etaLo + (0 - 0.25) / w0Lo;
  let devPrev = 0;
  {
    let s = 0;
    let comp = 0;
    for (let i = 0; i < n; i++) {
      const k = y[i]!;
      const v = k * (softplus(etaHi) - etaHi) + (cnt(i) - k) * softplus(etaLo);
      const t = s + v;
      comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
      s = t;
    }
    devPrev = 2 * (s + comp);
  }

  const mu = new Float64Array(n);
  const eta = new Float64Array(n);
  const w = new Float64Array(n);
  const wz = new Float64Array(n);
  let params: Float64Array = new Float64Array(p);
  let lastXtwx: SquareMatrix | null = null;
  let converged = false;
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    for (let i = 0; i < n; i++) {
      const c = cnt(i);
      const k = y[i]!;
      if (it === 0) {
        w[i] = k * w0Hi + (c - k) * w0Lo;
        wz[i] = k * w0Hi * zHi + (c - k) * w0Lo * zLo;
      } else if (!counts) {
        const m = clip(mu[i]!);
        const v = m * (1 - m);
        w[i] = v;
        wz[i] = v * (eta[i]! + (k - mu[i]!) / v);
      } else {
        const m = clip(mu[i]!);
        const v = m * (1 - m);
        w[i] = c * v;
        wz[i] = c * v * eta[i]! + (k - c * mu[i]!);
      }
    }
    const { xtwx, xtwz } = weightedCrossProducts(x, w, wz, true);
    params = choleskySolve(fixedCholesky(xtwx, aliased), aliased, xtwz);
    lastXtwx = xtwx;
    linearPredictor(x, params, eta);
    for (let i = 0; i < n; i++) mu[i] = expit(eta[i]!);
    iterations = it + 1;
    const dev = devianceFromEta(y, counts, eta);
    if (Math.abs(devPrev - dev) <= tol) {
      converged = true;
      devPrev = dev;
      break;
    }
    devPrev = dev;
  }
  const cov = choleskyInverse(fixedCholesky(lastXtwx!, aliased), aliased);

  const deviance = devPrev;
  const llf = -deviance / 2;
  let ySum = 0;
  let pearson = 0;
  let extreme = 0;
  for (let i = 0; i < n; i++) {
    const c = cnt(i);
    const k = y[i]!;
    ySum += k;
    const m = clip(mu[i]!);
    // Σ over the pattern's rows of (y−μ)²/v: k rows at 1, c−k at 0.
    pearson += (k * (1 - mu[i]!) ** 2 + (c - k) * mu[i]! ** 2) / (m * (1 - m));
    if (mu[i]! < 1e-8 || mu[i]! > 1 - 1e-8) extreme += c;
  }
  const ybar = ySum / nobs;
  const llnull =
    ybar > 0 && ybar < 1 ? nobs * (ybar * Math.log(ybar) + (1 - ybar) * Math.log(1 - ybar)) : 0;
  const rank = aliased.filter((a) => !a).length;

  const warnings: StatsWarning[] = [];
  const aliasedNames = names.filter((_, j) => aliased[j]);
  if (aliasedNames.length > 0) {
    warnings.push({
      code: "rank_deficient",
      message: `design is rank deficient: ${aliasedNames.length} column(s) are linear combinations of earlier ones and were dropped`,
      terms: aliasedNames,
    });
  }
  const sep = diagnoseSeparation(x, y, counts, mu, aliased);
  const separatedNames = names.filter((_, j) => sep.affected[j]);
  if (separatedNames.length > 0) {
    warnings.push({
      code: "separation",
      message: `perfect (quasi-)separation: ${sep.separatedRows} covariate row(s) have fitted probabilities at 0 or 1 and the listed coefficients diverge; their standard errors, p-values and the marginal effects that depend on them are not reported`,
      terms: separatedNames,
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
    nobs,
    separated: sep.affected,
    separatingDirections: sep.directions,
    rank,
    dfModel: rank - 1,
    dfResid: nobs - rank,
    llf,
    llnull,
    deviance,
    pearsonChi2: pearson,
    pseudoR2CS: 1 - Math.exp((2 / nobs) * (llnull - llf)),
    iterations,
    converged,
    warnings,
  };
}
