/**
 * Exact binomial tail at p = ½, the distribution behind the exact McNemar test.
 * Summed term by term from the largest term downwards (terms shrink
 * geometrically away from the mode), with log C(n, k) accumulated as a sum of
 * logs, so it neither under/overflows for large n nor needs a gamma function.
 */

/** log C(n, k) for integers 0 ≤ k ≤ n. */
export function logChoose(n: number, k: number): number {
  const m = Math.min(k, n - k);
  let s = 0;
  for (let j = 1; j <= m; j++) s += Math.log((n - m + j) / j);
  return s;
}

/** P(X ≤ k) for X ~ Binomial(n, ½). */
export function binomialHalfCdf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`binomialHalfCdf: n must be a non-negative integer, got ${n}`);
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (!Number.isInteger(k)) throw new RangeError(`binomialHalfCdf: k must be an integer, got ${k}`);
  // For k above the mode, use the complement so the summed terms still decrease.
  if (k >= n / 2) return 1 - binomialHalfCdf(n - k - 1, n);
  let term = 1;
  let sum = 1;
  for (let j = k; j > 0; j--) {
    term *= j / (n - j + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.exp(logChoose(n, k) - n * Math.LN2) * sum;
}
