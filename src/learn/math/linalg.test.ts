import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cholesky, gaussJordanInverse, matVec, solveSpd, spdInverseInPlace } from './linalg.js';
import { Rng } from './prng.js';
import { normal } from './samplers.js';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const m = Float64Array.from({ length: n * n }, () => normal(rng));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? n : 0;
    for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
    a[i * n + j] = s;
  }
  return a;
}

describe('linear algebra', () => {
  it('Cholesky of the textbook matrix [[4,12,−16],[12,37,−43],[−16,−43,98]] is [[2,0,0],[6,1,0],[−8,5,3]]', () => {
    const l = cholesky(Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]), 3);
    expect([...l]).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it('solves and inverts SPD matrices: A·A⁻¹ = I and agreement with Gauss–Jordan (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const a = randomSpd(n, seed);
        const inv = spdInverseInPlace(Float64Array.from(a), n);
        const gj = gaussJordanInverse(a, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
          if (Math.abs(s - (i === j ? 1 : 0)) > 1e-9) return false;
          if (Math.abs(inv[i * n + j] - gj[i * n + j]) > 1e-9) return false;
        }
        const x = solveSpd(a, n, Array.from({ length: n }, (_, i) => i + 1));
        const back = matVec(a, n, n, x);
        return back.every((v, i) => Math.abs(v - (i + 1)) < 1e-8);
      }),
      { numRuns: 40 },
    );
  });

  it('Gauss–Jordan handles pivoting and rejects singular matrices', () => {
    expect([...gaussJordanInverse(Float64Array.from([0, 1, 1, 0]), 2)]).toEqual([0, 1, 1, 0]);
    expect(() => gaussJordanInverse(Float64Array.from([1, 2, 2, 4]), 2)).toThrow(/singular/);
  });
});
