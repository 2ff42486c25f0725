import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { spdInverseInPlace } from './linalg.js';
import { simdSweep, spdInverseSwept, spdInverseSweptFilled } from './spd-sweep.js';
import { SWEEP_KERNEL_WASM } from './sweep-kernel-wasm.js';

/** A random SPD matrix XᵀX + ½I (X: (n + 3)×n, entries uniform on ±½), seeded. */
function randomSpd(n: number, seed: number): Float64Array {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const k = n + 3;
  const x = Float64Array.from({ length: k * n }, rnd);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v = i === j ? 0.5 : 0;
      for (let r = 0; r < k; r++) v += x[r * n + i] * x[r * n + j];
      a[i * n + j] = a[j * n + i] = v;
    }
  }
  return a;
}

/** max |A·B − I| over the entries. */
function residual(a: Float64Array, b: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let k = 0; k < n; k++) v += a[i * n + k] * b[k * n + j];
      worst = Math.max(worst, Math.abs(v - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe('the blocked symmetric sweep inverse', () => {
  it('gives the inverse the Cholesky inverse gives, for every size against every block size (ragged edges, one block, blocks of one)', () => {
    for (const n of [1, 2, 5, 7, 63, 64, 65, 130, 203]) {
      for (const nb of [1, 3, 8, 64]) {
        const a = randomSpd(n, 11 + n);
        const want = spdInverseInPlace(Float64Array.from(a), n);
        const got = spdInverseSwept(Float64Array.from(a), n, nb);
        const scale = Math.max(...want.map(Math.abs));
        let worst = 0;
        for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst / scale, `n=${n}, nb=${nb}`).toBeLessThan(1e-12);
        expect(residual(a, got, n), `n=${n}, nb=${nb}`).toBeLessThan(1e-9);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(got[i * n + j]).toBe(got[j * n + i]);
      }
    }
  });

  it('matches Sherman–Morrison on I + uuᵀ (Golub & Van Loan, Matrix Computations, 4th ed., §2.1.4): (I + uuᵀ)⁻¹ = I − uuᵀ/(1 + uᵀu)', () => {
    const n = 150;
    const u = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const uu = u.reduce((s, v) => s + v * v, 0);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 1 : 0) + u[i] * u[j];
    const got = spdInverseSwept(a, n, 16);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) expect(got[i * n + j]).toBeCloseTo((i === j ? 1 : 0) - (u[i] * u[j]) / (1 + uu), 13);
    }
  });

  it('reads only the lower triangle', () => {
    const n = 37;
    const a = randomSpd(n, 5);
    const want = spdInverseInPlace(Float64Array.from(a), n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = Number.NaN;
    const got = spdInverseSwept(a, n, 8);
    for (let i = 0; i < n * n; i++) expect(got[i]).toBeCloseTo(want[i], 10);
  });

  it('inverts a matrix written where it runs as it inverts one given (spdInverseSweptFilled), with and without the kernel', () => {
    for (const n of [37, 301]) {
      const a = randomSpd(n, 9);
      const want = spdInverseSwept(Float64Array.from(a), n);
      const got = spdInverseSweptFilled(n, (m) => m.set(a));
      for (let i = 0; i < n * n; i++) expect(got[i]).toBe(want[i]);
    }
  });

  it('answers the documented example', () => {
    const got = spdInverseSwept(Float64Array.from([4, 2, 2, 3]), 2);
    [0.375, -0.25, -0.25, 0.5].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 15));
  });
});

describe('the sweep\'s SIMD kernel (sweep-kernel.wat)', () => {
  it('is the text compiled: the bytes shipped are wabt\'s of sweep-kernel.wat', async () => {
    const wabt = await wabtInit();
    const text = readFileSync(new URL('./sweep-kernel.wat', import.meta.url), 'utf8');
    const mod = wabt.parseWat('sweep-kernel.wat', text, { simd: true });
    mod.validate();
    const built = Buffer.from(mod.toBinary({}).buffer).toString('base64');
    mod.destroy();
    // On a change to the text, paste this into sweep-kernel-wasm.ts.
    expect(SWEEP_KERNEL_WASM, `SWEEP_KERNEL_WASM = '${built}'`).toBe(built);
  });

  it('runs here (Node 20 and later have WebAssembly SIMD) and inverts as the JavaScript update does, to rounding', () => {
    expect(simdSweep(256, 64)).toBeDefined();
    // Sizes from four blocks up (where the kernel is used): whole tiles, rows left over, an odd last block (the JavaScript update's).
    for (const [n, nb] of [[32, 8], [35, 8], [64, 16], [130, 8], [203, 16], [257, 64], [301, 64]] as const) {
      const a = randomSpd(n, 3 + n);
      const want = spdInverseInPlace(Float64Array.from(a), n);
      const js = spdInverseSwept(Float64Array.from(a), n, nb, false);
      const simd = spdInverseSwept(Float64Array.from(a), n, nb);
      const scale = Math.max(...want.map(Math.abs));
      let worst = 0;
      let apart = 0;
      for (let i = 0; i < n * n; i++) {
        worst = Math.max(worst, Math.abs(simd[i] - want[i]));
        apart = Math.max(apart, Math.abs(simd[i] - js[i]));
      }
      expect(worst / scale, `n=${n}, nb=${nb}`).toBeLessThan(1e-12);
      expect(apart / scale, `n=${n}, nb=${nb}`).toBeLessThan(1e-13);
    }
  });

  it('leaves out a matrix too large for its memory (the JavaScript update takes it)', () => {
    // 24,000² numbers are 4.6 GB, past WebAssembly's 4 GiB.
    expect(simdSweep(24_000, 64)).toBeUndefined();
  });
});
