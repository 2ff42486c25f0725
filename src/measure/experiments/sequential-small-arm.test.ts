import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sequentialRho, sequentialTest } from './sequential.js';
import { createRng, randomNormal } from '../stats/prng.js';
import { welchTest } from './frequentist.js';
import { experimentReadout } from './readout.js';
import { summarizeValues } from './summary.js';

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;
const sums = (xs: number[]) => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSquares: xs.reduce((a, b) => a + b * b, 0) });

/*
 * Reference: scipy 1.17.1, Welch's t-test, computed with
 *   python3 -c "from scipy import stats; import numpy as np; r = stats.ttest_ind([10., 14.], np.zeros(300), equal_var=False);
 *               print(r.pvalue, r.df, r.confidence_interval(0.95), r.confidence_interval(0.99))"
 * which printed
 *   r.pvalue → 0.10513691342250688, r.df → 1.0
 *   r.confidence_interval(0.95) → (-13.412409472349388, 37.41240947234939)
 *   r.confidence_interval(0.99) → (-115.31348232574305, 139.31348232574305)
 * Before the floor, the always-valid interval at 95% was [3.12, 20.88], p 0.0036 ("better").
 */
describe('the always-valid interval of a mean over an arm of a few units', () => {
  const control = summarizeValues(new Array(300).fill(0));
  const treatment = summarizeValues([10, 14]);

  it("is never narrower than Welch's fixed-horizon interval at the same level: 2 units against 300 zeros (scipy's Welch)", () => {
    const r = sequentialTest(control, treatment, { type: 'absolute' })!;
    expect(r.ci.map(r5)).toEqual([-13.41241, 37.41241]);
    expect(r5(r.pValue)).toBe(0.10514);
    expect(r.floor).toEqual({ method: 'welch-t', df: 1 });
    const r99 = sequentialTest(control, treatment, { type: 'absolute', alpha: 0.01 })!;
    expect(r99.ci.map(r5)).toEqual([-115.31348, 139.31348]);
  });

  it('keeps the mixture where it is the wider (no floor at thousands of units)', () => {
    const big = sequentialTest(summarizeValues(Array.from({ length: 3000 }, (_, i) => i % 7)), summarizeValues(Array.from({ length: 3000 }, (_, i) => (i % 7) + 0.1)), { type: 'absolute' })!;
    expect(big.floor).toBeUndefined();
    const w = welchTest(summarizeValues(Array.from({ length: 3000 }, (_, i) => i % 7)), summarizeValues(Array.from({ length: 3000 }, (_, i) => (i % 7) + 0.1)), { type: 'absolute' })!;
    expect(big.ci[1] - big.ci[0]).toBeGreaterThan(w.ci[1] - w.ci[0]);
  });

  it("contains Welch's interval, and p < alpha exactly when 0 is outside it, for any small arms (property)", () => {
    const values = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 12 });
    fc.assert(
      fc.property(values, values, fc.constantFrom(0.01, 0.05, 0.1), (a, b, alpha) => {
        const s = sequentialTest(summarizeValues(a), summarizeValues(b), { type: 'absolute', alpha });
        const w = welchTest(summarizeValues(a), summarizeValues(b), { type: 'absolute', alpha });
        if (!s || !w) return s === null && w === null;
        const tol = 1e-9 * (1 + Math.abs(w.ci[0]) + Math.abs(w.ci[1]));
        const outside = s.ci[0] > 0 || s.ci[1] < 0;
        return s.ci[0] <= w.ci[0] + tol && s.ci[1] >= w.ci[1] - tol && s.pValue >= w.pValue - 1e-12 && (Math.abs(s.pValue - alpha) < 1e-9 || outside === s.pValue < alpha);
      }),
    );
  });

  it('gives no verdict on 2 units against 300, and says why (QA: "better" at always-valid p 0.0036)', () => {
    const r = experimentReadout({
      controlId: 'control',
      effectType: 'absolute',
      metrics: [{ name: 'value', kind: 'mean' }],
      arms: [
        { id: 'control', weight: 0.5, units: 300, metrics: { value: sums(new Array(300).fill(0)) } },
        { id: 'treat', weight: 0.5, units: 2, metrics: { value: sums([10, 14]) } },
      ],
    });
    const m = r.metrics[0];
    expect(m.verdict).toBe('inconclusive');
    expect(m.sequential!.ci.map(r5)).toEqual([-13.41241, 37.41241]);
    expect(r.warnings).toContainEqual(expect.stringContaining('"treat" on value: with 2 units in "treat" and 300 in "control"'));
    expect(r.warnings.join(' ')).toContain("Welch's interval and p are shown as the always-valid ones");
  });

  it("takes Welch's interval exactly when it is the wider, at every arm size around the crossing (the quantile's bound decides most without solving for it)", () => {
    // The mixture's half-width from its formula (eq. 9 of arXiv 2103.06476, sequentialRho), Welch's from welchTest.
    const mixtureHalf = (se: number, n: number, alpha: number, tuning: number) => {
      const rho = sequentialRho(alpha, tuning);
      const nr2 = n * rho * rho;
      return se * Math.sqrt(((2 * (nr2 + 1)) / nr2) * Math.log(Math.sqrt(nr2 + 1) / alpha));
    };
    let floors = 0;
    let none = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 120 }),
        fc.integer({ min: 2, max: 120 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.constantFrom(0.01, 0.05, 0.1, 0.2),
        fc.constantFrom(100, 1000, 5000, 100_000),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (na, nb, spread, alpha, tuning, seed) => {
          const rng = createRng(seed);
          const a = summarizeValues(Array.from({ length: na }, () => randomNormal(rng)));
          const b = summarizeValues(Array.from({ length: nb }, () => spread * randomNormal(rng) + 0.3));
          const s = sequentialTest(a, b, { type: 'absolute', alpha, tuning })!;
          const w = welchTest(a, b, { type: 'absolute', alpha })!;
          const welchHalf = (w.ci[1] - w.ci[0]) / 2;
          const mixture = mixtureHalf(s.se, na + nb, alpha, tuning);
          if (welchHalf > mixture) floors++;
          else none++;
          const half = (s.ci[1] - s.ci[0]) / 2;
          const tol = 1e-9 * (1 + half);
          return welchHalf > mixture ? s.floor?.method === 'welch-t' && Math.abs(half - welchHalf) < tol : s.floor === undefined && Math.abs(half - mixture) < tol;
        },
      ),
      { numRuns: 3000, seed: 20261207 },
    );
    // Both sides of the crossing were met.
    expect(floors).toBeGreaterThan(50);
    expect(none).toBeGreaterThan(100);
  });
});

/*
 * The same rule for a proportion read from its counts: the fixed-horizon interval is the score
 * interval (MOVER-R with Wilson limits for a lift; Newcombe 1998's hybrid score for a difference),
 * asymmetric, and the mixture's symmetric interval can stop short of it on one side. QA
 * 2026-12-06: unsubscribes 24 of 1,340 in control against 1 of 1,349, the lift's always-valid
 * [−1, −0.7772] against the score interval's [−0.9929, −0.7496].
 */
describe('the always-valid interval of a proportion', () => {
  const counts = (n: number, x: number) => ({ n, sum: x, sumSquares: x });
  const readout = (c: [number, number], t: [number, number]) =>
    experimentReadout({
      controlId: 'control',
      effectType: 'relative',
      metrics: [{ name: 'unsubscribe', kind: 'proportion', lowerIsBetter: true }],
      arms: [
        { id: 'control', weight: 0.5, units: c[0], metrics: { unsubscribe: counts(...c) } },
        { id: 'push', weight: 0.5, units: t[0], metrics: { unsubscribe: counts(...t) } },
      ],
    }).metrics[0];

  it('covers the score interval at the same level (QA: 24/1340 against 1/1349, relative)', () => {
    const m = readout([1340, 24], [1349, 1]);
    const [flo, fhi] = m.frequentist!.ci;
    expect(fhi).toBeGreaterThan(-0.76);
    expect(m.sequential!.ci[0]).toBeLessThanOrEqual(flo);
    expect(m.sequential!.ci[1]).toBeGreaterThanOrEqual(fhi);
    expect(m.sequential!.pValue).toBeGreaterThanOrEqual(m.frequentist!.pValue);
    expect(m.sequential!.floor).toEqual({ method: 'score' });
  });

  it('contains the score interval for any counts, either effect type (property)', () => {
    const arm = fc.integer({ min: 5, max: 400 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n })));
    fc.assert(
      fc.property(arm, arm, fc.constantFrom('relative', 'absolute') as fc.Arbitrary<'relative' | 'absolute'>, ([na, xa], [nb, xb], type) => {
        const m = experimentReadout({ controlId: 'a', effectType: type, metrics: [{ name: 'p', kind: 'proportion' }], arms: [{ id: 'a', weight: 0.5, units: na, metrics: { p: counts(na, xa) } }, { id: 'b', weight: 0.5, units: nb, metrics: { p: counts(nb, xb) } }] }).metrics[0];
        if (!m?.sequential || !m.frequentist) return true;
        const tol = 1e-9 * (1 + Math.abs(m.frequentist.ci[0]) + Math.abs(m.frequentist.ci[1]));
        return m.sequential.ci[0] <= m.frequentist.ci[0] + tol && m.sequential.ci[1] >= m.frequentist.ci[1] - tol;
      }),
    );
  });
});
