import { describe, expect, it } from 'vitest';
import { sampleRatioMismatch } from './srm.js';
import { cupedAdjust, cupedSums, cupedTheta } from './cuped.js';
import { welchTest } from './frequentist.js';
import { summarizeValues } from './summary.js';

// Reference values: scipy.stats.chisquare (scipy 1.17.1), including its documentation example.
describe('sample-ratio mismatch', () => {
  it('scipy docs example [16, 18, 16, 14, 12, 12]: statistic 2.0, p 0.84915', () => {
    const r = sampleRatioMismatch([16, 18, 16, 14, 12, 12], [1, 1, 1, 1, 1, 1]);
    expect(r.chiSquare).toBeCloseTo(2, 12);
    expect(r.pValue).toBeCloseTo(0.8491450360846096, 12);
  });
  it('1000 vs 1200 on a 50/50 split is a mismatch (p 2.0079e-5)', () => {
    const r = sampleRatioMismatch([1000, 1200], [0.5, 0.5]);
    expect(r.chiSquare).toBeCloseTo(18.181818181818183, 10);
    expect(r.pValue).toBeCloseTo(2.007865612426481e-5, 15);
    expect(r.mismatch).toBe(true);
  });
  it('unequal weights: 2050 vs 7950 on 20/80 is fine (p 0.2113); zero-weight arms are ignored', () => {
    const r = sampleRatioMismatch([2050, 7950, 0], [0.2, 0.8, 0]);
    expect(r.chiSquare).toBeCloseTo(1.5625, 12);
    expect(r.pValue).toBeCloseTo(0.21129954733370696, 12);
    expect(r.mismatch).toBe(false);
  });
  it('three arms 5000/5100/4900: p 0.13534', () => {
    expect(sampleRatioMismatch([5000, 5100, 4900], [1, 1, 1]).pValue).toBeCloseTo(0.1353352832366127, 12);
  });
});

// Reference values: numpy 2.4 / scipy 1.17.1 — theta = np.cov(Y, X)[0,1] / np.var(X, ddof=1) on the
// pooled units, then scipy.stats.ttest_ind(yb_adj, ya_adj, equal_var=False) on Y − θX.
describe('CUPED', () => {
  const preA = [3.1, 2.4, 5.0, 1.2, 4.4, 3.3, 2.8, 0.9, 4.1, 3.6];
  const postA = [3.5, 2.2, 5.9, 1.0, 4.9, 3.1, 3.4, 1.5, 4.0, 4.2];
  const preB = [2.9, 4.8, 1.7, 3.9, 2.2, 5.1, 3.0, 1.1, 4.6, 2.5];
  const postB = [3.6, 5.5, 2.6, 4.1, 3.0, 6.2, 3.9, 1.4, 5.3, 3.3];
  const sa = cupedSums(preA, postA);
  const sb = cupedSums(preB, postB);

  it('theta is the pooled regression slope (1.0783121)', () => {
    expect(cupedTheta([sa, sb])).toBeCloseTo(1.07831214298876, 10);
  });

  it('the adjusted Welch test matches scipy on Y − θX: diff 0.41217, t 2.70415, df 15.8106, CI [0.08874, 0.73560]', () => {
    const theta = cupedTheta([sa, sb]);
    const r = welchTest(cupedAdjust(sa, theta), cupedAdjust(sb, theta), { type: 'absolute' })!;
    expect(r.estimate).toBeCloseTo(0.41216878570112386, 10);
    expect(r.estimate / r.se).toBeCloseTo(2.704150862680772, 9);
    expect(r.df).toBeCloseTo(15.810557527658686, 8);
    expect(r.pValue).toBeCloseTo(0.015760584259216517, 9);
    expect(r.ci[0]).toBeCloseTo(0.0887362235386791, 9);
    expect(r.ci[1]).toBeCloseTo(0.7356013478635686, 9);
  });

  it('narrows the interval versus the unadjusted test (scipy: unadjusted CI [-0.87107, 1.91107])', () => {
    const theta = cupedTheta([sa, sb]);
    const raw = welchTest(summarizeValues(postA), summarizeValues(postB), { type: 'absolute' })!;
    expect(raw.ci[0]).toBeCloseTo(-0.87106924930454, 9);
    expect(raw.ci[1]).toBeCloseTo(1.9110692493045383, 9);
    const adj = welchTest(cupedAdjust(sa, theta), cupedAdjust(sb, theta), { type: 'absolute' })!;
    expect(adj.ci[1] - adj.ci[0]).toBeLessThan((raw.ci[1] - raw.ci[0]) / 3);
  });
});

// Pearson's χ² is an approximation that needs every expected count ≥ 5 (Cochran, Biometrics 10 (1954)
// 417–451). Below it, the exact binomial test (R's binom.test, scipy.stats.binomtest: the two-sided p
// sums the probabilities no larger than the observed one's). Reference values: scipy 1.17.1.
describe('sample-ratio mismatch at small expected counts', () => {
  it('7 of 100 subjects in a 2% holdout (2 expected) is not a mismatch: exact p 0.0040621, χ² said 0.000355', () => {
    const r = sampleRatioMismatch([7, 93], [0.02, 0.98]);
    expect(r.pValue).toBeCloseTo(0.00406205408010084, 12);
    expect(r.mismatch).toBe(false);
    expect(r.method).toBe('exact-binomial');
    // 8 of 100: p 0.00093194 (scipy.stats.binomtest(8, 100, 0.02)); 0 of 200 (4 expected): 0.037763.
    expect(sampleRatioMismatch([8, 92], [0.02, 0.98]).pValue).toBeCloseTo(0.0009319399786495836, 13);
    expect(sampleRatioMismatch([0, 200], [0.02, 0.98]).pValue).toBeCloseTo(0.0377628225899724, 12);
    expect(sampleRatioMismatch([3, 97], [0.02, 0.98]).pValue).toBeCloseTo(0.4559339335429744, 12);
  });

  it('raises false alarms at most at its threshold: Binomial(100, 0.02) summed over every count it calls a mismatch', () => {
    // Under correct assignment the holdout count is Binomial(100, 0.02); P(mismatch) is exact by enumeration.
    // χ² called every count ≥ 7 a mismatch: P(X ≥ 7) = 0.0041, four times its threshold of 0.001.
    const logChoose = (n: number, k: number) => lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
    let alarm = 0;
    for (let x = 0; x <= 100; x++) {
      if (sampleRatioMismatch([x, 100 - x], [0.02, 0.98]).mismatch) alarm += Math.exp(logChoose(100, x) + x * Math.log(0.02) + (100 - x) * Math.log(0.98));
    }
    expect(alarm).toBeLessThanOrEqual(0.001);
    expect(alarm).toBeGreaterThan(0);
  });

  it('three arms with a small one: Bonferroni over each arm\'s exact test against the rest', () => {
    // [7, 47, 46] on 2/49/49%: binomtest p 0.0040621, 0.84232, 1 → 3 × 0.0040621 = 0.0121862 (χ² p 0.0013).
    const r = sampleRatioMismatch([7, 47, 46], [0.02, 0.49, 0.49]);
    expect(r.pValue).toBeCloseTo(3 * 0.00406205408010084, 12);
    expect(r.method).toBe('bonferroni-exact-binomial');
    expect(r.mismatch).toBe(false);
  });

  it('keeps Pearson\'s χ² when every expected count is at least 5', () => {
    expect(sampleRatioMismatch([1000, 1200], [0.5, 0.5]).method).toBe('chi-square');
  });
});

/** ln Γ(x) for whole x ≥ 1: ln((x − 1)!). */
function lgamma(x: number): number {
  let s = 0;
  for (let i = 2; i < x; i++) s += Math.log(i);
  return s;
}

// Reference values: scipy 1.17.1 —
//   scipy.stats.chisquare([2100, 2950, 3020, 1930], f_exp=[0.2, 0.3, 0.3, 0.2] * 10000) → (8.416666666666668, 0.0381414011798888)
//   scipy.stats.chisquare([2200, 2950, 3020, 1830], f_exp=[0.2, 0.3, 0.3, 0.2] * 10000) → (35.416666666666664, 9.947026120053764e-08)
//   [scipy.stats.binomtest(x, 20, p).pvalue for x, p in zip([1, 9, 10, 0], [0.1, 0.4, 0.4, 0.1])] → min 0.25452997802490435
describe('sample-ratio mismatch with more than two unequal arms', () => {
  it('four arms 20/30/30/20: df 3, chi-square against the configured weights, threshold 0.001 stated', () => {
    const fine = sampleRatioMismatch([2100, 2950, 3020, 1930], [0.2, 0.3, 0.3, 0.2]);
    expect([fine.df, fine.method, fine.threshold, fine.mismatch]).toEqual([3, 'chi-square', 0.001, false]);
    expect(fine.chiSquare).toBeCloseTo(8.416666666666668, 10);
    expect(fine.pValue).toBeCloseTo(0.0381414011798888, 12);
    const off = sampleRatioMismatch([2200, 2950, 3020, 1830], [2, 3, 3, 2]);
    expect(off.chiSquare).toBeCloseTo(35.416666666666664, 10);
    expect(off.pValue / 9.947026120053764e-8).toBeCloseTo(1, 6);
    expect(off.mismatch).toBe(true);
  });
  it('four arms with an expected count under 5: Bonferroni over the exact binomial tests (4 × 0.25453 → 1)', () => {
    const r = sampleRatioMismatch([1, 9, 10, 0], [0.1, 0.4, 0.4, 0.1]);
    expect(r.method).toBe('bonferroni-exact-binomial');
    expect(r.pValue).toBe(1);
    const three = sampleRatioMismatch([0, 9, 11, 0], [0.1, 0.4, 0.4, 0.1]);
    // [scipy.stats.binomtest(x, 20, p).pvalue for x, p in zip([0, 9, 11, 0], [0.1, 0.4, 0.4, 0.1])]
    // → [0.25453, 0.65441, 0.17847319934138325, 0.25453]: the smallest × 4 = 0.71389
    expect(three.pValue).toBeCloseTo(4 * 0.17847319934138325, 7);
  });
});
