import { normalQuantile } from "./normal.js";

export interface ClusteredMean {
  mean: number;
  se: number;
  ci: [number, number];
  n: number;
  clusters: number;
}

/**
 * Mean of per-unit values with a cluster-robust (sandwich) standard error, as statsmodels'
 * OLS on a constant with cov_type="cluster": meat Σ_g (Σ_{i∈g} (y_i − ȳ))², bread 1/N,
 * small-sample factor G/(G−1) (its (N−1)/(N−K) is 1 for a constant); normal interval. Clusters are items, so the
 * contexts and beliefs an item was asked under do not count as independent evidence.
 * Null with fewer than two clusters (no variance to estimate).
 */
export function clusteredMean(
  values: ArrayLike<number>,
  clusters: ArrayLike<string | number>,
  level = 0.95,
): ClusteredMean | null {
  const n = values.length;
  if (n === 0 || clusters.length !== n) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  const residualSums = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const g = clusters[i]!;
    residualSums.set(g, (residualSums.get(g) ?? 0) + values[i]! - mean);
  }
  const g = residualSums.size;
  if (g < 2) return null;
  let meat = 0;
  for (const s of residualSums.values()) meat += s * s;
  const se = Math.sqrt((meat / (n * n)) * (g / (g - 1)));
  const z = normalQuantile(0.5 + level / 2);
  return { mean, se, ci: [mean - z * se, mean + z * se], n, clusters: g };
}
