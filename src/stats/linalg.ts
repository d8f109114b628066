/**
 * Dense linear algebra for the small symmetric systems a GLM needs (p ≲ 100).
 * Matrices are row-major `Float64Array`s of length p·p. Written here rather than
 * imported: the only operations needed are a Cholesky factorisation that reports
 * which columns are aliased, solves, inverses and quadratic forms.
 */

/** Square row-major matrix. */
export interface SquareMatrix {
  readonly p: number;
  readonly data: Float64Array;
}

export function zeros(p: number): SquareMatrix {
  return { p, data: new Float64Array(p * p) };
}

export function get(m: SquareMatrix, i: number, j: number): number {
  return m.data[i * m.p + j]!;
}

/** Copies the lower triangle into the upper one (accumulators fill only the lower). */
export function symmetrizeFromLower(m: SquareMatrix): void {
  const { p, data } = m;
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) data[j * p + i] = data[i * p + j]!;
}

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive semi-definite matrix.
 * A column whose pivot falls below `relTol` × its original diagonal is linearly
 * dependent on earlier columns: it is marked aliased and dropped (its row and
 * column of L are zero), the way R's `lm` drops aliased columns, so the remaining
 * system stays well-posed instead of producing NaN.
 */
export function cholesky(a: SquareMatrix, relTol = 1e-10): { l: SquareMatrix; aliased: boolean[] } {
  const { p } = a;
  const l = zeros(p);
  const L = l.data;
  const A = a.data;
  const aliased = new Array<boolean>(p).fill(false);
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j]!;
    for (let k = 0; k < j; k++) d -= L[j * p + k]! * L[j * p + k]!;
    const orig = A[j * p + j]!;
    if (!(d > relTol * Math.max(orig, Number.MIN_VALUE)) || !(orig > 0)) {
      aliased[j] = true;
      continue;
    }
    const ljj = Math.sqrt(d);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
      L[i * p + j] = s / ljj;
    }
  }
  return { l, aliased };
}

/** Solves L Lᵀ x = b, treating aliased coordinates as fixed at zero. */
export function choleskySolve(
  l: SquareMatrix,
  aliased: readonly boolean[],
  b: Float64Array,
): Float64Array {
  const { p, data: L } = l;
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    if (aliased[i]) continue;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * p + k]! * y[k]!;
    y[i] = s / L[i * p + i]!;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    if (aliased[i]) continue;
    let s = y[i]!;
    for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * x[k]!;
    x[i] = s / L[i * p + i]!;
  }
  return x;
}

/** Inverse from a Cholesky factor; rows/columns of aliased coordinates are zero. */
export function choleskyInverse(l: SquareMatrix, aliased: readonly boolean[]): SquareMatrix {
  const { p } = l;
  const inv = zeros(p);
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    if (aliased[j]) continue;
    e.fill(0);
    e[j] = 1;
    const col = choleskySolve(l, aliased, e);
    for (let i = 0; i < p; i++) inv.data[i * p + j] = col[i]!;
  }
  // Average with the transpose so the result is exactly symmetric.
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (inv.data[i * p + j]! + inv.data[j * p + i]!);
      inv.data[i * p + j] = v;
      inv.data[j * p + i] = v;
    }
  }
  return inv;
}

/** a × b for square matrices of equal size. */
export function multiply(a: SquareMatrix, b: SquareMatrix): SquareMatrix {
  const { p } = a;
  const out = zeros(p);
  for (let i = 0; i < p; i++)
    for (let k = 0; k < p; k++) {
      const aik = a.data[i * p + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < p; j++) out.data[i * p + j]! += aik * b.data[k * p + j]!;
    }
  return out;
}

/** gᵀ M g. */
export function quadraticForm(m: SquareMatrix, g: ArrayLike<number>): number {
  const { p, data } = m;
  let s = 0;
  for (let i = 0; i < p; i++) {
    const gi = g[i]!;
    if (gi === 0) continue;
    let row = 0;
    for (let j = 0; j < p; j++) row += data[i * p + j]! * g[j]!;
    s += gi * row;
  }
  return s;
}

/** M scaled by a constant, as a new matrix. */
export function scale(m: SquareMatrix, c: number): SquareMatrix {
  const out = zeros(m.p);
  for (let i = 0; i < m.data.length; i++) out.data[i] = m.data[i]! * c;
  return out;
}
