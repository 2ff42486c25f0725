/**
 * Dense linear algebra on row-major Float64Array matrices: Cholesky factorisation and solves,
 * the in-place inverse of a symmetric positive-definite matrix (as LAPACK's dpotrf + dpotri),
 * and Gauss–Jordan inversion with partial pivoting for general square matrices.
 * Loops run along rows so that memory is read contiguously; an n×n inverse costs about n³/2
 * multiply-adds (n = 2,000: ~4·10⁹, a few seconds in Node).
 */

/**
 * Cholesky factor L (lower, A = L·Lᵀ) written over the lower triangle of `a`; the strict upper
 * triangle is zeroed. Throws if `a` is not positive definite.
 *
 * @example
 * const a = Float64Array.from([4, 2, 2, 3]);
 * cholesky(a, 2); // a = [2, 0, 1, √2]
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`Matrix is not positive definite (pivot ${i} = ${s}).`);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return a;
}

/**
 * Solves A·x = b given the Cholesky factor L of A (forward then back substitution).
 *
 * @example
 * const l = cholesky(Float64Array.from([4, 2, 2, 3]), 2);
 * choleskySolve(l, 2, Float64Array.from([6, 5])); // [1, 1]
 */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * y[k];
    y[i] = s / l[i * n + i];
  }
  return y;
}

/**
 * Solves A·x = b for a symmetric positive-definite A (A is not modified).
 *
 * @example
 * solveSpd(Float64Array.from([4, 2, 2, 3]), 2, [6, 5]); // [1, 1]
 */
export function solveSpd(a: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return choleskySolve(cholesky(Float64Array.from(a), n), n, b);
}

/**
 * Inverts a symmetric positive-definite matrix in place (Cholesky, triangular inverse, then
 * L⁻ᵀ·L⁻¹), using one n-vector of scratch. Returns `a`, now holding the full symmetric inverse.
 *
 * @example
 * spdInverseInPlace(Float64Array.from([2, 0, 0, 4]), 2); // [0.5, 0, 0, 0.25]
 */
export function spdInverseInPlace(a: Float64Array, n: number): Float64Array {
  cholesky(a, n);
  const tmp = new Float64Array(n);
  // Triangular inverse M = L⁻¹, row by row: M[i][j] = −(Σ_k L[i][k]·M[k][j]) / L[i][i].
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    tmp.fill(0, 0, i);
    for (let k = 0; k < i; k++) {
      const s = a[ri + k];
      if (s === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) tmp[j] += s * a[rk + j];
    }
    const inv = 1 / a[ri + i];
    for (let j = 0; j < i; j++) a[ri + j] = -tmp[j] * inv;
    a[ri + i] = inv;
  }
  // A⁻¹ = Mᵀ·M; row i of the result needs rows k ≥ i of M only, so rows can be overwritten in order.
  for (let i = 0; i < n; i++) {
    tmp.fill(0, 0, i + 1);
    for (let k = i; k < n; k++) {
      const rk = k * n;
      const s = a[rk + i];
      if (s === 0) continue;
      for (let j = 0; j <= i; j++) tmp[j] += s * a[rk + j];
    }
    const ri = i * n;
    for (let j = 0; j <= i; j++) a[ri + j] = tmp[j];
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i];
  return a;
}

/**
 * Inverse of a general square matrix by Gauss–Jordan elimination with partial pivoting
 * (returns a new array; throws on a singular matrix).
 *
 * @example
 * gaussJordanInverse(Float64Array.from([0, 1, 1, 0]), 2); // [0, 1, 1, 0]
 */
export function gaussJordanInverse(m: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(m);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    if (a[p * n + c] === 0) throw new RangeError('Matrix is singular.');
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        [a[c * n + k], a[p * n + k]] = [a[p * n + k], a[c * n + k]];
        [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k], inv[c * n + k]];
      }
    }
    const d = 1 / a[c * n + c];
    for (let k = 0; k < n; k++) {
      a[c * n + k] *= d;
      inv[c * n + k] *= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r * n + k] -= f * a[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

/** Matrix (row-major, rows×cols) times vector. @example matVec(Float64Array.from([1,2,3,4]), 2, 2, [1,1]) // [3,7] */
export function matVec(m: Float64Array, rows: number, cols: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += m[i * cols + j] * v[j];
    out[i] = s;
  }
  return out;
}
