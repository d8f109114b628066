/**
 * Cluster-robust (sandwich) covariance for a logistic GLM, as statsmodels'
 * `fit(cov_type="cluster", cov_kwds={"groups": g})`:
 *   V = H⁻¹ (Σ_g s_g s_gᵀ) H⁻¹ · G/(G−1) · (N−1)/(N−K),
 * with H = X'WX at the final estimates and s_g = Σ_{i∈g} x_i (y_i − μ_i).
 * In this study clusters are items: the same question is asked under 18
 * conditions of two subjects, so its responses are not independent.
 */
import type { SparseDesign } from "./design.js";
import { weightedCrossProducts } from "./glm.js";
import { cholesky, choleskyInverse, multiply, type SquareMatrix, zeros } from "./linalg.js";
import type { StatsWarning } from "./warnings.js";

export interface ClusterCovariance {
  readonly cov: SquareMatrix;
  readonly nClusters: number;
  readonly warnings: readonly StatsWarning[];
}

/** Observations grouped by design row and cluster: `count` Bernoulli rows with `successes` ones. */
export interface ClusterCells {
  /** Design row (covariate pattern) of each entry. */
  readonly row: Int32Array;
  readonly cluster: Int32Array;
  readonly count: ArrayLike<number>;
  readonly successes: ArrayLike<number>;
}

/**
 * @param clusters cluster code per design row, 0 ≤ code < nClusters (e.g. item index).
 */
export function clusterRobustCov(
  x: SparseDesign,
  y: ArrayLike<number>,
  mu: Float64Array,
  clusters: Int32Array,
  opts: { useCorrection?: boolean } = {},
): ClusterCovariance {
  const { n } = x;
  if (clusters.length !== n)
    throw new RangeError(`clusterRobustCov: ${clusters.length} cluster codes for ${n} rows`);
  const row = new Int32Array(n);
  for (let i = 0; i < n; i++) row[i] = i;
  return clusterRobustCovCells(
    x,
    null,
    mu,
    { row, cluster: clusters, count: new Float64Array(n).fill(1), successes: y },
    opts,
  );
}

/**
 * The same sandwich from aggregates: the design rows may be covariate patterns
 * with `counts` Bernoulli rows each, and the score of a cluster is regrouped as
 * Σ over its (pattern, cluster) entries of x_p (successes − count·μ_p).
 */
export function clusterRobustCovCells(
  x: SparseDesign,
  counts: ArrayLike<number> | null,
  mu: Float64Array,
  cells: ClusterCells,
  opts: { useCorrection?: boolean } = {},
): ClusterCovariance {
  const { n, p, slots: S, col, val } = x;
  const m = cells.row.length;
  let G = 0;
  for (let e = 0; e < m; e++) G = Math.max(G, cells.cluster[e]! + 1);
  // Count only clusters that occur: codes may be sparse after subsetting.
  const present = new Uint8Array(G);
  for (let e = 0; e < m; e++) present[cells.cluster[e]!] = 1;
  const nClusters = present.reduce((a, b) => a + b, 0);

  const w = new Float64Array(n);
  let nobs = 0;
  for (let i = 0; i < n; i++) {
    const c = counts ? counts[i]! : 1;
    nobs += c;
    w[i] = c * mu[i]! * (1 - mu[i]!);
  }
  const { xtwx } = weightedCrossProducts(x, w, null);
  const chol = cholesky(xtwx);
  const bread = choleskyInverse(chol.l, chol.aliased);

  const sums = new Float64Array(G * p);
  for (let e = 0; e < m; e++) {
    const i = cells.row[e]!;
    const r = cells.successes[e]! - cells.count[e]! * mu[i]!;
    const g = cells.cluster[e]! * p;
    for (let k = 0; k < S; k++) {
      const c = col[i * S + k]!;
      if (c >= 0) sums[g + c]! += r * (val ? val[i * S + k]! : 1);
    }
  }
  const meat = zeros(p);
  for (let g = 0; g < G; g++) {
    const base = g * p;
    for (let a = 0; a < p; a++) {
      const sa = sums[base + a]!;
      if (sa === 0) continue;
      for (let b = 0; b < p; b++) meat.data[a * p + b]! += sa * sums[base + b]!;
    }
  }
  const cov = multiply(multiply(bread, meat), bread);
  const warnings: StatsWarning[] = [];
  if (nClusters < 2) {
    warnings.push({
      code: "too_few_clusters",
      message: `cluster-robust covariance needs ≥ 2 clusters, got ${nClusters}`,
    });
  } else if (nClusters < 30) {
    warnings.push({
      code: "too_few_clusters",
      message: `only ${nClusters} clusters: cluster-robust standard errors may be unreliable`,
    });
  }
  if (opts.useCorrection ?? true) {
    const factor = (nClusters / (nClusters - 1)) * ((nobs - 1) / (nobs - p));
    for (let i = 0; i < cov.data.length; i++) cov.data[i]! *= factor;
  }
  return { cov, nClusters, warnings };
}
