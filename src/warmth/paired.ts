/**
 * Paired tests for the manipulation check: is the warm variant's response warmer than the
 * reference's response to the same item under the same condition?
 *
 * src/stats has normal-theory and McNemar tests but no Student t or signed-rank test, so
 * they live here (pure functions, checked against scipy in test/warmth/fixtures/paired.json,
 * made by test/warmth/fixtures/make_paired.py):
 * - Student's t distribution through the regularized incomplete beta function
 *   (Lentz's continued fraction, Numerical Recipes §6.4) and a Lanczos log-gamma;
 * - the paired t-test (scipy.stats.ttest_rel);
 * - the Wilcoxon signed-rank test (scipy.stats.wilcoxon, zero_method="wilcox",
 *   correction=False): exact null distribution when n ≤ 50 without ties or zeros, else the
 *   normal approximation with the tie correction — scipy's `method="auto"` rule.
 */
import { normalQuantile, normalSf } from "../stats/normal.js";

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7; ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const EPS = 1e-16;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront =
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) {
    return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  }
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom (accurate in the upper tail). */
export function studentTSf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** The q-quantile of Student's t (bisection on the survival function; |error| < 1e-12). */
export function studentTQuantile(q: number, df: number): number {
  if (!(q > 0 && q < 1)) return q === 0 ? -Infinity : q === 1 ? Infinity : Number.NaN;
  if (q === 0.5) return 0;
  if (q < 0.5) return -studentTQuantile(1 - q, df);
  let lo = 0;
  let hi = Math.max(1, normalQuantile(q));
  while (1 - studentTSf(hi, df) < q) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (1 - studentTSf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface MeanSem {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1 in the denominator). */
  sd: number | null;
  /** Standard error of the mean, sd / √n (scipy.stats.sem). */
  sem: number | null;
}

/** Mean ± SEM of finite values (non-finite values are ignored). */
export function meanSem(values: readonly number[]): MeanSem {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, sem: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n === 1) return { n, mean, sd: null, sem: null };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  return { n, mean, sd, sem: sd / Math.sqrt(n) };
}

export interface PairedTTest {
  n: number;
  /** Mean of treatment − reference. */
  meanDiff: number;
  sdDiff: number;
  se: number;
  t: number;
  df: number;
  pTwoSided: number;
  /** One-sided p for "treatment > reference". */
  pGreater: number;
  /** 95% confidence interval of the mean difference. */
  ci95: [number, number];
}

/**
 * Paired t-test of treatment − reference (scipy.stats.ttest_rel). Null when fewer than two
 * pairs. When every difference is identical the test is degenerate: t is ±∞ (p = 0) for a
 * non-zero difference and NaN-free p = 1 for a zero one.
 */
export function pairedTTest(
  treatment: readonly number[],
  reference: readonly number[],
): PairedTTest | null {
  if (treatment.length !== reference.length) {
    throw new Error(`paired test: ${treatment.length} treatment vs ${reference.length} reference`);
  }
  const diffs = treatment.map((t, i) => t - reference[i]!);
  const s = meanSem(diffs);
  if (s.n < 2 || s.mean === null || s.sd === null || s.sem === null) return null;
  const df = s.n - 1;
  let t: number;
  if (s.sem === 0) t = s.mean === 0 ? 0 : s.mean > 0 ? Infinity : -Infinity;
  else t = s.mean / s.sem;
  const pGreater = studentTSf(t, df);
  const pTwoSided = Math.min(1, 2 * studentTSf(Math.abs(t), df));
  const half = studentTQuantile(0.975, df) * s.sem;
  return {
    n: s.n,
    meanDiff: s.mean,
    sdDiff: s.sd,
    se: s.sem,
    t,
    df,
    pTwoSided: s.sem === 0 && s.mean === 0 ? 1 : pTwoSided,
    pGreater: s.sem === 0 && s.mean === 0 ? 1 : pGreater,
    ci95: [s.mean - half, s.mean + half],
  };
}

export interface WilcoxonResult {
  /** Non-zero differences (zeros are dropped, zero_method="wilcox"). */
  n: number;
  /** Sum of the ranks of positive differences (W+). */
  rPlus: number;
  /** Sum of the ranks of negative differences (W−). */
  rMinus: number;
  method: "exact" | "approx";
  /** z of W+ under the normal approximation (null for the exact method). */
  z: number | null;
  pTwoSided: number;
  /** One-sided p for "treatment > reference". */
  pGreater: number;
}

/** Average ranks of |d| (1-based), and the tie-group sizes. */
function signedRanks(abs: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = abs.map((_v, i) => i).sort((a, b) => abs[a]! - abs[b]!);
  const ranks = new Array<number>(abs.length);
  const ties: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && abs[order[j + 1]!] === abs[order[i]!]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]!] = avg;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Null distribution of W+ for n untied ranks: counts[w] of the 2^n sign patterns. */
function exactCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    for (let w = Math.min(max, (k * (k + 1)) / 2); w >= k; w--) counts[w]! += counts[w - k]!;
  }
  return counts;
}

/**
 * Wilcoxon signed-rank test of treatment − reference. `method: "auto"` follows scipy: exact
 * when n ≤ 50 and there are neither ties nor zeros, otherwise the normal approximation (tie
 * correction, no continuity correction). Null when no difference is non-zero.
 */
export function wilcoxonSignedRank(
  treatment: readonly number[],
  reference: readonly number[],
  method: "auto" | "exact" | "approx" = "auto",
): WilcoxonResult | null {
  if (treatment.length !== reference.length) {
    throw new Error(`paired test: ${treatment.length} treatment vs ${reference.length} reference`);
  }
  const all = treatment.map((t, i) => t - reference[i]!);
  const zeros = all.filter((d) => d === 0).length;
  const d = all.filter((x) => x !== 0 && Number.isFinite(x));
  const n = d.length;
  if (n === 0) return null;
  const { ranks, ties } = signedRanks(d.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  d.forEach((x, i) => {
    if (x > 0) rPlus += ranks[i]!;
    else rMinus += ranks[i]!;
  });
  const useExact =
    method === "exact" || (method === "auto" && n <= 50 && ties.length === 0 && zeros === 0);
  if (useExact) {
    const counts = exactCounts(n);
    const total = 2 ** n;
    // rPlus is an integer here (no ties).
    const w = Math.round(rPlus);
    let le = 0;
    for (let k = 0; k <= w; k++) le += counts[k]!;
    let ge = 0;
    for (let k = w; k < counts.length; k++) ge += counts[k]!;
    const pLe = le / total;
    const pGe = ge / total;
    return {
      n,
      rPlus,
      rMinus,
      method: "exact",
      z: null,
      pTwoSided: Math.min(1, 2 * Math.min(pLe, pGe)),
      pGreater: pGe,
    };
  }
  const mean = (n * (n + 1)) / 4;
  let variance = (n * (n + 1) * (2 * n + 1)) / 24;
  for (const t of ties) variance -= (t * t * t - t) / 48;
  const se = Math.sqrt(variance);
  const z = se > 0 ? (rPlus - mean) / se : 0;
  return {
    n,
    rPlus,
    rMinus,
    method: "approx",
    z,
    pTwoSided: Math.min(1, 2 * normalSf(Math.abs(z))),
    pGreater: normalSf(z),
  };
}
