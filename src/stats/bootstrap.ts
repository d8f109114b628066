/**
 * Seeded paired cluster bootstrap of a difference in error rates.
 *
 * Responses of both subjects to one item form a cluster (same question, 18
 * conditions, two subjects), so resampling must draw whole items with
 * replacement — both subjects' responses together — or the interval ignores the
 * within-item correlation that pairing creates. The statistic is
 * errorRate(treatment) − errorRate(reference), each a ratio of sums over the
 * resampled rows. Percentile interval; numpy-style linear quantiles.
 */
import { seededRng } from "./rng.js";
import type { StatsWarning } from "./warnings.js";

export interface BootstrapOptions {
  readonly replicates?: number;
  readonly seed?: number;
  readonly level?: number;
}

export interface BootstrapResult {
  readonly estimate: number;
  readonly se: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly replicates: number;
  readonly seed: number;
  readonly nClusters: number;
  readonly warnings: readonly StatsWarning[];
}

/** Linear-interpolation quantile of sorted values (numpy's default method). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * @param cluster cluster code per row (0 … G−1), e.g. the item.
 * @param treated 1 for the treatment subject's row, 0 for the reference's.
 * @param incorrect 1 if the response was incorrect.
 */
export function pairedClusterBootstrap(
  cluster: Int32Array,
  treated: ArrayLike<number>,
  incorrect: ArrayLike<number>,
  opts: BootstrapOptions = {},
): BootstrapResult {
  const B = opts.replicates ?? 2000;
  const seed = opts.seed ?? 1;
  const level = opts.level ?? 0.95;
  const n = cluster.length;
  if (treated.length !== n || incorrect.length !== n)
    throw new RangeError("pairedClusterBootstrap: arrays differ in length");
  let G = 0;
  for (let i = 0; i < n; i++) G = Math.max(G, cluster[i]! + 1);
  // Per-cluster totals: rows and errors for each arm.
  const n0 = new Float64Array(G);
  const e0 = new Float64Array(G);
  const n1 = new Float64Array(G);
  const e1 = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    const g = cluster[i]!;
    if (treated[i] === 1) {
      n1[g]! += 1;
      e1[g]! += incorrect[i]!;
    } else {
      n0[g]! += 1;
      e0[g]! += incorrect[i]!;
    }
  }
  const ids: number[] = [];
  for (let g = 0; g < G; g++) if (n0[g]! + n1[g]! > 0) ids.push(g);
  const rate = (e: number, m: number) => e / m;
  let tn0 = 0;
  let te0 = 0;
  let tn1 = 0;
  let te1 = 0;
  for (const g of ids) {
    tn0 += n0[g]!;
    te0 += e0[g]!;
    tn1 += n1[g]!;
    te1 += e1[g]!;
  }
  if (tn0 === 0 || tn1 === 0)
    throw new RangeError("pairedClusterBootstrap: both arms need at least one row");
  const estimate = rate(te1, tn1) - rate(te0, tn0);

  const rng = seededRng(seed);
  const reps = new Float64Array(B);
  let kept = 0;
  let skipped = 0;
  for (let r = 0; r < B; r++) {
    let a0 = 0;
    let s0 = 0;
    let a1 = 0;
    let s1 = 0;
    for (let k = 0; k < ids.length; k++) {
      const g = ids[rng.int(ids.length)]!;
      a0 += n0[g]!;
      s0 += e0[g]!;
      a1 += n1[g]!;
      s1 += e1[g]!;
    }
    if (a0 === 0 || a1 === 0) {
      skipped++;
      continue;
    }
    reps[kept++] = rate(s1, a1) - rate(s0, a0);
  }
  const sample = reps.subarray(0, kept).sort();
  let mean = 0;
  for (const v of sample) mean += v;
  mean /= kept;
  let ss = 0;
  for (const v of sample) ss += (v - mean) ** 2;
  const warnings: StatsWarning[] = [];
  if (skipped > 0) {
    warnings.push({
      code: "non_finite",
      message: `${skipped} replicate(s) had no rows in one arm and were skipped`,
    });
  }
  if (ids.length < 30) {
    warnings.push({
      code: "too_few_clusters",
      message: `only ${ids.length} clusters: bootstrap interval may be unreliable`,
    });
  }
  const alpha = 1 - level;
  return {
    estimate,
    se: kept > 1 ? Math.sqrt(ss / (kept - 1)) : 0,
    ciLower: quantileSorted(sample, alpha / 2),
    ciUpper: quantileSorted(sample, 1 - alpha / 2),
    replicates: kept,
    seed,
    nClusters: ids.length,
    warnings,
  };
}
