/**
 * Separation diagnosis for a logistic fit, for any level or combination of
 * levels (complete or quasi-complete), not only single indicator columns.
 *
 * Under separation the maximum-likelihood estimate does not exist: there is a
 * direction d with x·d ≥ 0 on every success and ≤ 0 on every failure, and IRLS
 * walks along it, pushing the separated rows' fitted probabilities to 0 or 1
 * while the rest of the fit settles. Rows that are not separated satisfy
 * x·d = 0, so d lies in the null space of their Gram matrix X_Nᵀ C X_N. Hence:
 *  1. separated rows = rows whose fitted expected count of the other outcome
 *     is negligible (their outcomes are all one class and μ is at 0 or 1);
 *  2. the divergent directions = the null space of the remaining rows' Gram
 *     matrix (over the columns the fit kept);
 *  3. a coefficient is affected when a divergent direction moves it; a
 *     prediction x·β is affected when x·d ≠ 0 for such a direction.
 * If the remaining rows identify every coefficient, the extreme rows are just
 * extreme (flagged as such by the caller) and nothing is suppressed.
 */
import type { SparseDesign } from "./design.js";
import { symmetricEigen } from "./eigen.js";
import { symmetrizeFromLower, zeros } from "./linalg.js";

export interface SeparationDiagnosis {
  /** Design rows whose outcome the fit separates perfectly. */
  readonly separatedRows: number;
  /** Per column: its coefficient diverges along a separating direction. */
  readonly affected: readonly boolean[];
  /** Separating directions in coefficient space, each scaled to max |component| = 1. */
  readonly directions: readonly Float64Array[];
}

/** Expected count of the minority outcome below which a one-outcome row counts as separated. */
const NEGLIGIBLE = 1e-6;
/** Eigenvalue (of the unit-diagonal Gram matrix) below which a direction is null. */
const NULL_TOL = 1e-9;
/** Component size that counts as "moves this coefficient / prediction". */
const COMPONENT_TOL = 1e-6;

export function diagnoseSeparation(
  x: SparseDesign,
  successes: ArrayLike<number>,
  counts: ArrayLike<number> | null,
  mu: Float64Array,
  aliased: readonly boolean[],
): SeparationDiagnosis {
  const { n, p, slots: S, col, val } = x;
  const gram = zeros(p);
  const G = gram.data;
  const diag = new Float64Array(p);
  let separatedRows = 0;
  for (let i = 0; i < n; i++) {
    const c = counts ? counts[i]! : 1;
    const k = successes[i]!;
    const m = mu[i]!;
    const separated = (k === 0 && c * m < NEGLIGIBLE) || (k === c && c * (1 - m) < NEGLIGIBLE);
    if (separated) separatedRows++;
    const base = i * S;
    for (let a = 0; a < S; a++) {
      const ca = col[base + a]!;
      if (ca < 0) continue;
      const va = val ? val[base + a]! : 1;
      diag[ca]! += c * va * va;
      if (separated) continue;
      for (let b = 0; b <= a; b++) {
        const cb = col[base + b]!;
        if (cb < 0) continue;
        G[ca * p + cb]! += c * va * (val ? val[base + b]! : 1);
      }
    }
  }
  const affected = new Array<boolean>(p).fill(false);
  if (separatedRows === 0) return { separatedRows, affected, directions: [] };
  symmetrizeFromLower(gram);

  const kept: number[] = [];
  for (let j = 0; j < p; j++) if (!aliased[j] && diag[j]! > 0) kept.push(j);
  const q = kept.length;
  const scaled = zeros(q);
  for (let a = 0; a < q; a++)
    for (let b = 0; b < q; b++) {
      const ja = kept[a]!;
      const jb = kept[b]!;
      scaled.data[a * q + b] = G[ja * p + jb]! / Math.sqrt(diag[ja]! * diag[jb]!);
    }
  const { values, vectors } = symmetricEigen(scaled);
  const directions: Float64Array[] = [];
  for (let k = 0; k < q; k++) {
    if (values[k]! > NULL_TOL) continue;
    const d = new Float64Array(p);
    let max = 0;
    for (let a = 0; a < q; a++) {
      const j = kept[a]!;
      const comp = vectors[a * q + k]!;
      if (Math.abs(comp) > COMPONENT_TOL) affected[j] = true;
      d[j] = comp / Math.sqrt(diag[j]!);
      max = Math.max(max, Math.abs(d[j]!));
    }
    for (let j = 0; j < p; j++) d[j] = d[j]! / max;
    directions.push(d);
  }
  return { separatedRows, affected, directions };
}

/** True when some row's linear predictor moves along a separating direction. */
export function touchesSeparation(x: SparseDesign, directions: readonly Float64Array[]): boolean {
  if (directions.length === 0) return false;
  const { n, slots: S, col, val } = x;
  for (const d of directions) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      let scale = 0;
      for (let k = 0; k < S; k++) {
        const c = col[i * S + k]!;
        if (c < 0) continue;
        const term = d[c]! * (val ? val[i * S + k]! : 1);
        s += term;
        scale += Math.abs(term);
      }
      if (Math.abs(s) > COMPONENT_TOL * Math.max(scale, 1)) return true;
    }
  }
  return false;
}
