/**
 * Benjamini–Hochberg false discovery rate adjustment, as statsmodels'
 * `fdrcorrection(method="indep")`: adjusted p_(i) = min_{j≥i} p_(j)·m/j, capped
 * at 1. null entries (untestable cells) are left out of the family and stay null.
 */
export interface FdrResult {
  readonly adjusted: (number | null)[];
  readonly rejected: (boolean | null)[];
}

export function benjaminiHochberg(pvalues: readonly (number | null)[], alpha = 0.05): FdrResult {
  const idx: number[] = [];
  pvalues.forEach((p, i) => {
    if (p === null) return;
    if (!(p >= 0 && p <= 1))
      throw new RangeError(`benjaminiHochberg: p-value ${i} is ${p}, expected [0, 1]`);
    idx.push(i);
  });
  const m = idx.length;
  const order = [...idx].sort((i, j) => pvalues[i]! - pvalues[j]!);
  const adjustedSorted = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    running = Math.min(running, (pvalues[order[r]!]! * m) / (r + 1));
    adjustedSorted[r] = running;
  }
  let maxRejected = -1;
  for (let r = 0; r < m; r++) if (pvalues[order[r]!]! <= ((r + 1) / m) * alpha) maxRejected = r;
  const adjusted: (number | null)[] = pvalues.map(() => null);
  const rejected: (boolean | null)[] = pvalues.map(() => null);
  for (let r = 0; r < m; r++) {
    adjusted[order[r]!] = Math.min(1, adjustedSorted[r]!);
    rejected[order[r]!] = r <= maxRejected;
  }
  return { adjusted, rejected };
}
