/**
 * Inference for a difference of two error rates when responses come in
 * clusters (items): the same question is asked under up to 36 conditions of the
 * two subjects, so its responses are not independent and a per-response SE is
 * too small. Pure; checked against statsmodels (scripts/reference/clustered_reference.py).
 */
import { type WaldResult, wald } from "./wald.js";

/** One cluster's counts: responses scored and errors, per arm. */
export interface ClusterCounts {
  readonly referenceN: number;
  readonly referenceErrors: number;
  readonly treatmentN: number;
  readonly treatmentErrors: number;
}

export interface ClusteredDifference extends WaldResult {
  /** Clusters with at least one scored response. */
  readonly nClusters: number;
  readonly referenceN: number;
  readonly treatmentN: number;
  /** The SE as if every response were independent, for the design effect. */
  readonly naiveSe: number | null;
}

/**
 * Treatment − reference error rate with a cluster-robust (sandwich) SE. This is
 * the coefficient of OLS `y ~ treated` with statsmodels' `cov_type="cluster"`
 * (correction G/(G−1)·(N−1)/(N−K), K = 2), which for a binary treatment equals
 * the average marginal effect of a logistic GLM `y ~ treated` and its
 * delta-method SE under the same clustered covariance: the model is saturated,
 * so both reproduce the two observed rates and share one influence function.
 */
export function clusteredDifference(
  clusters: readonly ClusterCounts[],
  level = 0.95,
): ClusteredDifference {
  let nr = 0;
  let er = 0;
  let nt = 0;
  let et = 0;
  let g = 0;
  for (const c of clusters) {
    if (c.referenceN + c.treatmentN === 0) continue;
    g++;
    nr += c.referenceN;
    er += c.referenceErrors;
    nt += c.treatmentN;
    et += c.treatmentErrors;
  }
  const empty = {
    estimate: null,
    se: null,
    z: null,
    p: null,
    ciLower: null,
    ciUpper: null,
    nClusters: g,
    referenceN: nr,
    treatmentN: nt,
    naiveSe: null,
  };
  if (nr === 0 || nt === 0) return empty;
  const pr = er / nr;
  const pt = et / nt;
  const estimate = pt - pr;
  // Sum of each cluster's influence on the estimate, squared.
  let meat = 0;
  for (const c of clusters) {
    const u =
      (c.treatmentErrors - c.treatmentN * pt) / nt - (c.referenceErrors - c.referenceN * pr) / nr;
    meat += u * u;
  }
  const n = nr + nt;
  if (g < 2 || n <= 2) return { ...empty, estimate };
  const variance = meat * (g / (g - 1)) * ((n - 1) / (n - 2));
  const naive = (pt * (1 - pt)) / nt + (pr * (1 - pr)) / nr;
  return {
    ...wald(estimate, variance, level),
    nClusters: g,
    referenceN: nr,
    treatmentN: nt,
    naiveSe: Number.isFinite(naive) ? Math.sqrt(naive) : null,
  };
}

/** One cluster of a single group: responses and how many were errors. */
export interface ClusterTotal {
  readonly n: number;
  readonly events: number;
}

/**
 * Intra-cluster correlation of a binary outcome by one-way ANOVA (unequal
 * cluster sizes: n₀ = (N − Σn²/N)/(G−1)); the sums of squares are those of
 * statsmodels' `anova_lm(ols("y ~ C(cluster)"))`. Null when it cannot be
 * estimated (fewer than two clusters, or no within-cluster variation).
 * May be negative; callers planning with it clamp at 0.
 */
export function intraclassCorrelation(clusters: readonly ClusterTotal[]): number | null {
  const used = clusters.filter((c) => c.n > 0);
  const G = used.length;
  const N = used.reduce((s, c) => s + c.n, 0);
  if (G < 2 || N <= G) return null;
  const mean = used.reduce((s, c) => s + c.events, 0) / N;
  let ssb = 0;
  let ssw = 0;
  let sumSq = 0;
  for (const c of used) {
    const p = c.events / c.n;
    ssb += c.n * (p - mean) ** 2;
    ssw += c.events * (1 - p);
    sumSq += c.n * c.n;
  }
  const msb = ssb / (G - 1);
  const msw = ssw / (N - G);
  const n0 = (N - sumSq / N) / (G - 1);
  const denom = msb + (n0 - 1) * msw;
  if (!(denom > 0)) return null;
  return (msb - msw) / denom;
}

/** Kish's design effect for clusters of m responses with intra-cluster correlation ρ. */
export function designEffect(clusterSize: number, icc: number): number {
  if (!(clusterSize >= 1)) throw new RangeError(`cluster size must be ≥ 1, got ${clusterSize}`);
  if (!(icc >= -1 && icc <= 1)) throw new RangeError(`ICC must be in [-1, 1], got ${icc}`);
  return 1 + (clusterSize - 1) * Math.max(0, icc);
}
