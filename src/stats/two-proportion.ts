import { normalCdf, normalSf } from "./normal.js";

/**
 * Two-proportion z-test with the pooled variance, as statsmodels'
 * proportions_ztest: H0 p1 = p2; "smaller" tests p1 < p2. Checked against
 * statsmodels in test/stats. Pure.
 */
export function twoProportionZTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  alternative: "two-sided" | "smaller" | "larger" = "two-sided",
): { z: number | null; p: number | null } {
  if (n1 <= 0 || n2 <= 0) return { z: null, p: null };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // Everyone agreed (or nobody did) in both groups: no variation, nothing to test.
  if (se === 0) return { z: null, p: null };
  const z = (x1 / n1 - x2 / n2) / se;
  const p =
    alternative === "smaller"
      ? normalCdf(z)
      : alternative === "larger"
        ? normalSf(z)
        : 2 * normalSf(Math.abs(z));
  return { z, p };
}
