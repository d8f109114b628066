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
  const { n, p, slots: S, col, val } = x;
  if (clusters.length !== n)
    throw new RangeError(`clusterRobustCov: ${clusters.length} cluster codes for ${n} rows`);
  let G = 0;
  for (let i = 0; i < n; i++) G = Math.max(G, clusters[i]! + 1);
  // Count only clusters that occur: codes may be sparse after subsetting.
  const present = new Uint8Array(G);
  for (let i = 0; i < n; i++) present[clusters[i]!] = 1;
  const nClusters = present.reduce((a, b) => a + b, 0);

  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = mu[i]! * (1 - mu[i]!);
  const { xtwx } = weightedCrossProducts(x, w, null);
  const chol = cholesky(xtwx);
  const bread = choleskyInverse(chol.l, chol.aliased);

  const sums = new Float64Array(G * p);
  for (let i = 0; i < n; i++) {
    const r = y[i]! - mu[i]!;
    const g = clusters[i]! * p;
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
    const factor = (nClusters / (nClusters - 1)) * ((n - 1) / (n - p));
    for (let i = 0; i < cov.data.length; i++) cov.data[i]! *= factor;
  }
  return { cov, nClusters, warnings };
}
