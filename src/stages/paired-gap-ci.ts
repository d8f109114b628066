import { normalQuantile } from "../stats/normal.js";

/**
 * PLACEHOLDER until the item-clustered interval lands (branch `headline`): a paired Wald
 * 95% interval, in percentage points, for treatment − reference error over the pairs both
 * answered and had scored. b = reference right & treatment wrong, c = the reverse, so the
 * paired gap is (b − c)/n with variance ((b + c)/n − gap²)/n. Null without pairs.
 * The integrator replaces this one function; `SummaryComparison.ci95Pp` keeps its shape.
 */
export function pairedGapCi95Pp(paired: {
  pairs: number;
  b: number;
  c: number;
}): [number, number] | null {
  const n = paired.pairs;
  if (n <= 0) return null;
  const gap = (paired.b - paired.c) / n;
  const variance = Math.max(0, ((paired.b + paired.c) / n - gap * gap) / n);
  const half = normalQuantile(0.975) * Math.sqrt(variance);
  return [(gap - half) * 100, (gap + half) * 100];
}
