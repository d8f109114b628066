/**
 * Wilson score interval for a binomial proportion — the interval statsmodels'
 * `proportion_confint(method="wilson")` returns. Preferred over the Wald
 * interval because it stays inside [0, 1] and keeps its coverage at error
 * rates near 0 or 1, which per-cell error rates often are.
 */
import { normalQuantile } from "./normal.js";

export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (!Number.isInteger(n) || n <= 0)
    throw new RangeError(`wilsonInterval: n must be a positive integer, got ${n}`);
  if (!(successes >= 0 && successes <= n)) {
    throw new RangeError(`wilsonInterval: successes must be in [0, ${n}], got ${successes}`);
  }
  if (!(level > 0 && level < 1))
    throw new RangeError(`wilsonInterval: level must be in (0, 1), got ${level}`);
  const crit = normalQuantile(1 - (1 - level) / 2);
  const q = successes / n;
  const crit2 = crit * crit;
  const denom = 1 + crit2 / n;
  const center = (q + crit2 / (2 * n)) / denom;
  const dist = (crit * Math.sqrt((q * (1 - q)) / n + crit2 / (4 * n * n))) / denom;
  // Clamp only the rounding residue (e.g. -1e-17) so bounds are valid probabilities.
  return { estimate: q, lower: Math.max(0, center - dist), upper: Math.min(1, center + dist) };
}
