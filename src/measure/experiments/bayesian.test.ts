import { describe, expect, it } from 'vitest';
import { bayesianTest } from './bayesian.js';
import { betaBinomialTest, probabilityBBeatsA } from './beta-binomial.js';
import { summarizeMean, summarizeProportion } from './summary.js';

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

// Source: GrowthBook gbstats, packages/stats/tests/bayesian/test_tests.py (GaussianEffectABTest, flat prior).
describe('Gaussian effect posterior — GrowthBook gbstats expectations', () => {
  it('proportions 49/100 vs 51/100', () => {
    const r = bayesianTest(summarizeProportion(100, 49), summarizeProportion(100, 51))!;
    expect(r5(r.expected)).toBe(0.04082);
    expect(r.ci.map(r5)).toEqual([-0.24779, 0.32943]);
    expect(r5(r.sd)).toBe(0.14725);
    expect(r5(r.chanceToWin)).toBe(0.60918);
    expect([r5(r.risk.control), r5(r.risk.treatment)]).toEqual([0.0814, 0.04058]);
  });

  it('means 10 ± 0.5 vs 10.5 ± 1 (n = 10)', () => {
    const r = bayesianTest(summarizeMean(10, 100, 1002.25), summarizeMean(10, 105, 1111.5))!;
    expect(r5(r.expected)).toBe(0.05);
    expect(r.ci.map(r5)).toEqual([-0.02, 0.12]);
    expect(r5(r.sd)).toBe(0.03572);
    expect(r5(r.chanceToWin)).toBe(0.91923);
    expect([r5(r.risk.control), r5(r.risk.treatment)]).toEqual([0.05131, 0.00131]);
  });

  it('an informative prior shrinks toward its mean; lower-is-better flips the win', () => {
    const a = summarizeProportion(100, 49);
    const b = summarizeProportion(100, 51);
    const flat = bayesianTest(a, b)!;
    const shrunk = bayesianTest(a, b, { prior: { mean: 0, variance: 0.01 } })!;
    expect(Math.abs(shrunk.expected)).toBeLessThan(Math.abs(flat.expected));
    expect(shrunk.sd).toBeLessThan(flat.sd);
    expect(bayesianTest(a, b, { lowerIsBetter: true })!.chanceToWin).toBeCloseTo(1 - flat.chanceToWin, 12);
  });
});

// Reference values: numerical integration with scipy 1.17.1 (integrate.quad over stats.beta);
// the 49/100 vs 51/100 losses also match GrowthBook's former BinomialBayesianABTest risk [0.03872, 0.01912].
describe('exact Beta-Binomial (Evan Miller / Stucchio closed forms)', () => {
  it('P(B > A) for Beta(2,1) vs Beta(1,1) is 1/3 (analytic)', () => {
    expect(probabilityBBeatsA(2, 1, 1, 1)).toBeCloseTo(1 / 3, 14);
  });
  it('49/100 vs 51/100, uniform prior', () => {
    const r = betaBinomialTest({ successes: 49, failures: 51 }, { successes: 51, failures: 49 });
    expect(r.probabilityBBeatsA).toBeCloseTo(0.6107705226878396, 10);
    expect(r.lossOfChoosingA).toBeCloseTo(0.038724304339343533, 9);
    expect(r.lossOfChoosingB).toBeCloseTo(0.01911646120208925, 9);
  });
  it('20/1000 vs 35/1000, uniform prior', () => {
    const r = betaBinomialTest({ successes: 20, failures: 980 }, { successes: 35, failures: 965 });
    expect(r.probabilityBBeatsA).toBeCloseTo(0.9794360287033517, 10);
    expect(r.lossOfChoosingA).toBeCloseTo(0.01502662519327245, 9);
    expect(r.lossOfChoosingB).toBeCloseTo(5.65653130329492e-5, 9);
  });
  it('rejects a non-integer alpha for B with a sentence', () => {
    expect(() => probabilityBBeatsA(1, 1, 1.5, 1)).toThrow(/integer/);
  });
});
