/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations.
 * Used only to find the null space of a p×p Gram matrix (p ≲ 100) when
 * diagnosing separation; Jacobi is slow but accurate for tiny eigenvalues,
 * which is exactly what that diagnosis depends on.
 */
import type { SquareMatrix } from "./linalg.js";

export interface SymmetricEigen {
  readonly values: Float64Array;
  /** Row-major p×p; column k is the eigenvector of values[k]. */
  readonly vectors: Float64Array;
}

export function symmetricEigen(m: SquareMatrix, maxSweeps = 100): SymmetricEigen {
  const { p } = m;
  const a = Float64Array.from(m.data);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) {
        const x = a[i * p + j]! ** 2;
        total += x;
        if (i !== j) off += x;
      }
    if (off <= 1e-30 * Math.max(total, Number.MIN_VALUE)) break;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j]!;
        if (aij === 0) continue;
        const theta = (a[j * p + j]! - a[i * p + i]!) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k * p + i]!;
          const akj = a[k * p + j]!;
          a[k * p + i] = c * aki - s * akj;
          a[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i * p + k]!;
          const ajk = a[j * p + k]!;
          a[i * p + k] = c * aik - s * ajk;
          a[j * p + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k * p + i]!;
          const vkj = v[k * p + j]!;
          v[k * p + i] = c * vki - s * vkj;
          v[k * p + j] = s * vki + c * vkj;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = a[i * p + i]!;
  return { values, vectors: v };
}
