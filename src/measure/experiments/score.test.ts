import { describe, expect, it } from 'vitest';
import { scorePValue, scoreTest } from './score.js';

// Where every expected count of the 2×2 table is at least 5, the score tests invert Newcombe's method 10
// (Stat Med 17 (1998) 873–890): the p-value is the alpha at which the interval's limit on the side of 0 is
// exactly 0, so p < alpha ⟺ 0 is outside the interval.
describe('scoreTest', () => {
  const cases = [[80, 48, 70, 56], [28, 14, 30, 16], [5000, 1, 5000, 12], [10, 0, 10, 10], [100, 12, 100, 5], [10000, 560, 10000, 480]] as const;

  it.each(cases)('%i/%i → %i/%i: at alpha = p the limit is 0, and p < alpha exactly when 0 is outside the interval', (na, xa, nb, xb) => {
    const a = { n: na, successes: xa };
    const b = { n: nb, successes: xb };
    const p = scorePValue(a, b);
    if (p > 1e-12) {
      const at = scoreTest(a, b, { type: 'absolute', alpha: p })!;
      expect(Math.min(Math.abs(at.ci[0]), Math.abs(at.ci[1]))).toBeLessThan(1e-9);
    }
    for (const alpha of [0.001, 0.01, 0.05, 0.1, 0.2]) {
      for (const type of ['absolute', 'relative'] as const) {
        const r = scoreTest(a, b, { type, alpha });
        if (!r) continue;
        expect(r.pValue).toBe(p);
        expect(r.pValueMethod).toBe('newcombe-inversion');
        expect(r.ci[0] > 0 || r.ci[1] < 0, `${type} at ${alpha}`).toBe(p < alpha);
      }
    }
  });

  it('states the lift over a control with no conversions as null, the difference as an interval', () => {
    expect(scoreTest({ n: 200, successes: 0 }, { n: 200, successes: 3 })).toBeNull();
    expect(scoreTest({ n: 200, successes: 0 }, { n: 200, successes: 3 }, { type: 'absolute' })!.method).toBe('newcombe-wilson');
    expect(scoreTest({ n: 0, successes: 0 }, { n: 200, successes: 3 }, { type: 'absolute' })).toBeNull();
  });

  it('gives p = 1 for equal proportions', () => {
    expect(scorePValue({ n: 10, successes: 0 }, { n: 20, successes: 0 })).toBe(1);
  });
});

// Below an expected count of 5 (Cochran 1954) the p-value is Fisher's exact one. The inversion read the
// Wilson limits far beyond their approximation there: 2/2 against 0/300 inverted to p = 9.65e-20.
// References: scipy 1.17.1, scipy.stats.fisher_exact([[x_B, n_B − x_B], [x_A, n_A − x_A]]).pvalue.
describe('scoreTest p-value at small expected counts', () => {
  it.each([
    // fisher_exact([[2, 0], [0, 300]]) → 2.200171613385844e-05 (was 9.65e-20)
    [2, 2, 0, 300, 2.200171613385844e-5],
    // fisher_exact([[3, 197], [0, 200]]) → 0.24812030075187969 (was 0.1163)
    [3, 200, 0, 200, 0.24812030075187969],
    [0, 200, 3, 200, 0.24812030075187969],
    // fisher_exact([[4, 6], [490, 10]]) → 6.61628771838271e-08 (was 2.2e-19)
    [4, 10, 490, 500, 6.61628771838271e-8],
    // fisher_exact([[12, 8], [40, 460]]) → 1.973804114234504e-08 (was 6.0e-14)
    [12, 20, 40, 500, 1.973804114234504e-8],
    // fisher_exact([[5, 51], [0, 29]]) → 0.1606214432094711 (was 0.1176)
    [5, 56, 0, 29, 0.1606214432094711],
    // fisher_exact([[1, 0], [0, 1]]) → 1.0 (was 0.1202)
    [1, 1, 0, 1, 1],
  ])('%i/%i against %i/%i: Fisher p = %f', (xb, nb, xa, na, fisher) => {
    const a = { n: na, successes: xa };
    const b = { n: nb, successes: xb };
    expect(scorePValue(a, b) / fisher).toBeCloseTo(1, 9);
    const r = scoreTest(a, b, { type: 'absolute' })!;
    expect(r.pValueMethod).toBe('fisher-exact');
    expect(r.pValue).toBe(scorePValue(a, b));
  });

  it('gives p = 1 when neither arm converted (0/10 against 0/10; fisher_exact([[0, 10], [0, 10]]) → 1.0)', () => {
    expect(scorePValue({ n: 10, successes: 0 }, { n: 10, successes: 0 })).toBe(1);
    expect(scoreTest({ n: 10, successes: 0 }, { n: 10, successes: 0 }, { type: 'absolute' })!.pValueMethod).toBe('fisher-exact');
  });

  // Where the counts are large the inversion is kept; it agrees with the large-sample tests there.
  // scipy 1.17.1: fisher_exact([[480, 9520], [560, 9440]]) → 0.011837819987262266,
  // chi2_contingency([[480, 9520], [560, 9440]], correction=False).pvalue → 0.0108398; the inversion (brentq on
  // Newcombe's limit, scipy.stats.norm) → 0.0108988. fisher_exact([[5, 95], [12, 88]]) → 0.12617886126369043,
  // chi2_contingency(…, correction=False) → 0.0759217; the inversion → 0.0812059.
  it.each([
    [480, 10000, 560, 10000, 0.0108988, 0.011837819987262266],
    [5, 100, 12, 100, 0.0812059, 0.12617886126369043],
  ])('%i/%i against %i/%i: the inversion %f (Fisher %f)', (xb, nb, xa, na, inverted, fisher) => {
    const p = scorePValue({ n: na, successes: xa }, { n: nb, successes: xb });
    expect(p / inverted).toBeCloseTo(1, 4);
    expect(p).toBeLessThan(fisher);
    expect(p).toBeGreaterThan(fisher / 2);
  });

  // At small counts the exact p and the 95% interval can disagree, almost always as here: Newcombe's interval
  // excludes 0 at 2/2 against 0/2, where no table of these margins has an exact p below 1/3.
  it('can disagree with the interval there, and says which p it gives', () => {
    const r = scoreTest({ n: 2, successes: 0 }, { n: 2, successes: 2 }, { type: 'absolute' })!;
    expect(r.ci[0]).toBeGreaterThan(0);
    expect(r.pValue).toBeCloseTo(1 / 3, 12);
  });
});
