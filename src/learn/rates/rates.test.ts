import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { beta as betaDraw } from '../math/samplers.js';
import { lnBeta } from '../math/special.js';
import { betaInterval, betaMean, betaPosterior, isEstablished, rateEstimate, recordOutcome } from './beta-binomial.js';
import { betaBinomialInterval, betaBinomialPmf } from './beta-binomial-predictive.js';
import { fitConcentration } from './concentration.js';
import { betaBinomialLogLik, fitBetaMoments, fitBetaPrior } from './empirical-bayes.js';
import { betaWinProbabilities } from './thompson-beta.js';

// Rat tumour data, Gelman et al., Bayesian Data Analysis (3rd ed.), Table 5.1: 71 experiments.
const RAT_N = [20, 20, 20, 20, 20, 20, 20, 19, 19, 19, 19, 18, 18, 17, 20, 20, 20, 20, 19, 19, 18, 18, 25, 24, 23, 20, 20, 20, 20, 20, 20, 10, 49, 19, 46, 27, 17, 49, 47, 20, 20, 13, 48, 50, 20, 20, 20, 20, 20, 20, 20, 48, 19, 19, 19, 22, 46, 49, 20, 20, 23, 19, 22, 20, 20, 20, 52, 46, 47, 24, 14];
const RAT_Y = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 5, 2, 5, 3, 2, 7, 7, 3, 3, 2, 9, 10, 4, 4, 4, 4, 4, 4, 4, 10, 4, 4, 4, 5, 11, 12, 5, 5, 6, 5, 6, 6, 6, 6, 16, 15, 15, 9, 4];
const RAT = RAT_N.map((trials, i) => ({ successes: RAT_Y[i], trials }));

describe('Beta-Binomial rates', () => {
  it('updates online and conjugately', () => {
    let c = { successes: 0, trials: 0 };
    for (const y of [1, 0, 0, 1, 0]) c = recordOutcome(c, y);
    expect(c).toEqual({ successes: 2, trials: 5 });
    expect(betaPosterior({ alpha: 1, beta: 1 }, c)).toEqual({ alpha: 3, beta: 4 });
    expect(betaMean({ alpha: 3, beta: 4 })).toBeCloseTo(3 / 7, 15);
  });

  it('gives the closed-form intervals: Beta(1,1) → [0.05, 0.95]; Beta(1, n) upper = 1 − 0.05^(1/n), since I_x(1, n) = 1 − (1−x)ⁿ', () => {
    const [lo, hi] = betaInterval({ alpha: 1, beta: 1 }, 0.9);
    expect(lo).toBeCloseTo(0.05, 14);
    expect(hi).toBeCloseTo(0.95, 14);
    expect(betaInterval({ alpha: 1, beta: 30 }, 0.9)[1]).toBeCloseTo(1 - Math.pow(0.05, 1 / 30), 13);
  });

  it('uses the requested level: Beta(3, 8) at 90% and 95% match scipy 1.17.1 beta.ppf', () => {
    // scipy.stats.beta.ppf([0.05, 0.95], 3, 8) = [0.08726443391415033, 0.5069013010632024];
    // scipy.stats.beta.ppf([0.025, 0.975], 3, 8) = [0.06673951117773447, 0.5560954623076415].
    const [l90, h90] = betaInterval({ alpha: 3, beta: 8 }, 0.9);
    const [l95, h95] = betaInterval({ alpha: 3, beta: 8 }, 0.95);
    expect(l90).toBeCloseTo(0.08726443391415033, 12);
    expect(h90).toBeCloseTo(0.5069013010632024, 12);
    expect(l95).toBeCloseTo(0.06673951117773447, 12);
    expect(h95).toBeCloseTo(0.5560954623076415, 12);
  });

  it('is "learning" while the interval is wider than the threshold, or the evidence too small to support it', () => {
    const now = '2026-01-01T00:00:00.000Z';
    const thin = rateEstimate({ alpha: 2, beta: 20 }, { source: 'personal', establishedWhen: { maxWidth: 0.05 }, modelVersion: 'v', updatedAt: now, evidence: 20 });
    const thick = rateEstimate({ alpha: 200, beta: 2000 }, { source: 'personal', establishedWhen: { maxWidth: 0.05 }, modelVersion: 'v', updatedAt: now, evidence: 2198 });
    expect(thin.status).toBe('learning');
    expect(thick.status).toBe('established');
    // The same narrow posterior on 58 trials is below minEvidenceFor(0.05, 0.9) = 59 (established.test.ts).
    expect(rateEstimate({ alpha: 200, beta: 2000 }, { source: 'personal', establishedWhen: { maxWidth: 0.05 }, modelVersion: 'v', updatedAt: now, evidence: 58 }).status).toBe('learning');
    expect(isEstablished(0.01, 0.005, 0.02, { maxWidth: 0.05, maxRelativeWidth: 1 })).toBe(false);
    // An interval that is not a number establishes nothing (NaN > maxWidth is false: it read as established).
    expect(isEstablished(0.05, NaN, NaN, { maxWidth: 0.05 })).toBe(false);
    expect(isEstablished(0.05, 0.04, Infinity, { maxWidth: 0.05 })).toBe(false);
  });

  it('has credible intervals that hold the truth 90% of the time when the prior is right (simulation)', () => {
    const rng = new Rng(5);
    let inside = 0;
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      const p = betaDraw(rng, 2, 30);
      let s = 0;
      for (let i = 0; i < 40; i++) if (rng.float() < p) s++;
      const [lo, hi] = betaInterval(betaPosterior({ alpha: 2, beta: 30 }, { successes: s, trials: 40 }), 0.9);
      if (p >= lo && p <= hi) inside++;
    }
    expect(Math.abs(inside / reps - 0.9)).toBeLessThan(5 * Math.sqrt(0.09 / reps));
  });
});

describe('empirical Bayes prior', () => {
  it('reproduces BDA3 §5.1 on the 70 historical rat experiments: mean 0.136, sd 0.103 → α ≈ 1.4, β ≈ 8.6', () => {
    const prior = fitBetaMoments(RAT.slice(0, 70), false);
    expect(prior.alpha).toBeCloseTo(1.4, 1);
    expect(prior.beta).toBeCloseTo(8.6, 1);
  });

  it('maximum marginal likelihood beats the moments and sits at a stationary point', () => {
    const mml = fitBetaPrior(RAT);
    expect(mml.logLik).toBeGreaterThan(betaBinomialLogLik(fitBetaMoments(RAT), RAT));
    const h = 1e-4;
    for (const [da, db] of [[h, 0], [0, h]]) {
      const up = betaBinomialLogLik({ alpha: mml.alpha + da, beta: mml.beta + db }, RAT);
      const down = betaBinomialLogLik({ alpha: mml.alpha - da, beta: mml.beta - db }, RAT);
      expect(Math.abs(up - down) / (2 * h)).toBeLessThan(1e-3);
    }
  });

  it('recovers a known prior from simulated groups (Beta(2, 18), 3,000 groups of 60)', () => {
    const rng = new Rng(9);
    const groups = Array.from({ length: 3000 }, () => {
      const p = betaDraw(rng, 2, 18);
      let s = 0;
      for (let i = 0; i < 60; i++) if (rng.float() < p) s++;
      return { successes: s, trials: 60 };
    });
    const prior = fitBetaPrior(groups);
    expect(prior.alpha / (prior.alpha + prior.beta)).toBeCloseTo(0.1, 2);
    expect(Math.abs(prior.alpha + prior.beta - 20) / 20).toBeLessThan(0.2);
    const kappa = fitConcentration(groups.map((g) => ({ ...g, parentMean: 0.1 })));
    expect(Math.abs(kappa! - 20) / 20).toBeLessThan(0.2);
  });
});

describe('Thompson win probabilities for Beta beliefs', () => {
  it('matches the closed form P(B > A) for integer shapes (Evan Miller, "Formulas for Bayesian A/B testing")', () => {
    const A = { alpha: 12, beta: 90 };
    const B = { alpha: 18, beta: 85 };
    let closed = 0;
    for (let i = 0; i < B.alpha; i++) closed += Math.exp(lnBeta(A.alpha + i, A.beta + B.beta) - Math.log(B.beta + i) - lnBeta(1 + i, B.beta) - lnBeta(A.alpha, A.beta));
    const { probabilities, errorBound } = betaWinProbabilities([A, B]);
    expect(probabilities[1]).toBeCloseTo(closed, 8);
    expect(probabilities[0] + probabilities[1]).toBeCloseTo(1, 8);
    expect(errorBound).toBeLessThan(1e-8);
  });

  it('agrees with Monte Carlo for three arms', () => {
    const beliefs = [{ alpha: 3, beta: 40 }, { alpha: 5, beta: 50 }, { alpha: 1.5, beta: 20 }];
    const exact = betaWinProbabilities(beliefs).probabilities;
    const rng = new Rng(3);
    const wins = [0, 0, 0];
    const n = 100_000;
    for (let r = 0; r < n; r++) {
      const draws = beliefs.map((b) => betaDraw(rng, b.alpha, b.beta));
      wins[draws.indexOf(Math.max(...draws))]++;
    }
    exact.forEach((p, k) => expect(Math.abs(wins[k] / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n)));
  });
});

describe('posterior predictive counts', () => {
  it('Beta(1,1) gives the uniform distribution on 0..m, and the pmf sums to 1 with mean mα/(α+β)', () => {
    for (let k = 0; k <= 10; k++) expect(betaBinomialPmf(k, 10, { alpha: 1, beta: 1 })).toBeCloseTo(1 / 11, 13);
    expect(betaBinomialInterval({ alpha: 1, beta: 1 }, 10, 0.9)).toEqual([0, 10]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.double({ min: 0.2, max: 50, noNaN: true }), fc.double({ min: 0.2, max: 500, noNaN: true }), (m, a, b) => {
        let s = 0;
        let mean = 0;
        for (let k = 0; k <= m; k++) {
          const p = betaBinomialPmf(k, m, { alpha: a, beta: b });
          s += p;
          mean += k * p;
        }
        return Math.abs(s - 1) < 1e-9 && Math.abs(mean - (m * a) / (a + b)) < 1e-7 * (1 + m);
      }),
      { numRuns: 60 },
    );
  });
});
