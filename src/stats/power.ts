import { normalCdf, normalQuantile } from "./normal.js";

/**
 * Power planning for warmth audits: how many paired trials are needed to see
 * a given error-rate gap, and the smallest gap a planned grid can see. Pure.
 */

/** Cohen's h between two proportions (statsmodels `proportion_effectsize`). */
export function cohensH(p1: number, p2: number): number {
  return 2 * Math.asin(Math.sqrt(p1)) - 2 * Math.asin(Math.sqrt(p2));
}

function checkRate(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a proportion in [0, 1], got ${p}`);
}

/**
 * Two-sided power to tell two independent proportions apart with n responses
 * per group (normal approximation on Cohen's h, as statsmodels NormalIndPower).
 */
export function unpairedPower(
  pRef: number,
  pTreat: number,
  nPerGroup: number,
  alpha = 0.05,
): number {
  checkRate("pRef", pRef);
  checkRate("pTreat", pTreat);
  const h = Math.abs(cohensH(pTreat, pRef));
  const crit = normalQuantile(1 - alpha / 2);
  const shift = h * Math.sqrt(nPerGroup / 2);
  return normalCdf(shift - crit) + normalCdf(-shift - crit);
}

/** Responses per group for the unpaired comparison to reach `power`. */
export function unpairedSampleSize(
  pRef: number,
  pTreat: number,
  alpha = 0.05,
  power = 0.8,
): number {
  const h = Math.abs(cohensH(pTreat, pRef));
  if (h === 0) return Number.POSITIVE_INFINITY;
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.ceil((2 * z * z) / (h * h));
}

/**
 * Discordant-pair rate for McNemar planning. Without a pilot, assume the two
 * subjects err independently on the same prompt: a conservative choice, since
 * the same model with and without a persona usually errs on the same items.
 */
export function independentDiscordance(pRef: number, pTreat: number): number {
  return pRef * (1 - pTreat) + pTreat * (1 - pRef);
}

export interface PairedPlan {
  pRef: number;
  pTreat: number;
  alpha?: number;
  /** Share of pairs where exactly one subject errs; default: independence. */
  discordance?: number;
}

function pairedParts(plan: PairedPlan): { delta: number; psi: number; zA: number } {
  checkRate("pRef", plan.pRef);
  checkRate("pTreat", plan.pTreat);
  const delta = plan.pTreat - plan.pRef;
  const psi = plan.discordance ?? independentDiscordance(plan.pRef, plan.pTreat);
  if (psi < Math.abs(delta)) {
    throw new RangeError(
      `discordance ${psi} cannot be below the gap |${delta}|: the gap comes from discordant pairs`,
    );
  }
  return { delta, psi, zA: normalQuantile(1 - (plan.alpha ?? 0.05) / 2) };
}

/** Power of McNemar's test with n pairs (Connor 1987, normal approximation). */
export function mcnemarPower(plan: PairedPlan, nPairs: number): number {
  const { delta, psi, zA } = pairedParts(plan);
  if (delta === 0) return plan.alpha ?? 0.05;
  const sd = Math.sqrt(Math.max(psi - delta * delta, 1e-12));
  return normalCdf((Math.sqrt(nPairs) * Math.abs(delta) - zA * Math.sqrt(psi)) / sd);
}

/** Pairs needed for McNemar's test to reach `power` (Connor 1987). */
export function mcnemarSampleSize(plan: PairedPlan, power = 0.8): number {
  const { delta, psi, zA } = pairedParts(plan);
  if (delta === 0) return Number.POSITIVE_INFINITY;
  const zB = normalQuantile(power);
  const n = (zA * Math.sqrt(psi) + zB * Math.sqrt(psi - delta * delta)) ** 2 / (delta * delta);
  return Math.ceil(n);
}

/**
 * The smallest increase in error rate (treatment − reference) that McNemar's
 * test detects with `power` given n pairs, found by bisection; null when even
 * the largest possible gap is not enough.
 */
export function minimumDetectableGap(
  nPairs: number,
  pRef: number,
  options: { alpha?: number; power?: number; discordance?: (pTreat: number) => number } = {},
): number | null {
  const power = options.power ?? 0.8;
  const powerAt = (gap: number) =>
    mcnemarPower(
      {
        pRef,
        pTreat: pRef + gap,
        ...(options.alpha !== undefined && { alpha: options.alpha }),
        ...(options.discordance && { discordance: options.discordance(pRef + gap) }),
      },
      nPairs,
    );
  let hi = 1 - pRef;
  if (hi <= 0 || powerAt(hi) < power) return null;
  let lo = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (powerAt(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}
