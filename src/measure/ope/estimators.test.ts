import { describe, expect, it } from 'vitest';
import { estimate, opeTerms } from './estimators.js';
import { quantile } from './bootstrap.js';
import type { LoggedFeedback } from './types.js';

// Hand-worked example of Open Bandit Pipeline's definitions (obp/ope/estimators.py:
// InverseProbabilityWeighting, SelfNormalizedInverseProbabilityWeighting, DirectMethod,
// DoublyRobust, SelfNormalizedDoublyRobust). Weights w = [2, 2, 0, 2].
const data: LoggedFeedback = {
  reward: [1, 0, 1, 0],
  loggedPropensity: [0.5, 0.25, 0.5, 0.25],
  targetProbability: [1, 0.5, 0, 0.5],
  nActions: 2,
  action: [0, 1, 1, 0],
  targetDistribution: [1, 0, 0.5, 0.5, 1, 0, 0.5, 0.5],
  rewardPrediction: [0.6, 0.2, 0.6, 0.2, 0.6, 0.2, 0.6, 0.2],
};

describe('OPE estimators (OBP definitions, hand-computed)', () => {
  const t = opeTerms(data);
  it('IPS = Σ w·r / n = 2/4', () => expect(estimate(t, 'ips')).toBeCloseTo(0.5, 15));
  it('SNIPS = Σ w·r / Σ w = 2/6', () => expect(estimate(t, 'snips')).toBeCloseTo(1 / 3, 15));
  it('DM = mean Σ_a π(a)·q̂(a) = (0.6 + 0.4 + 0.6 + 0.4)/4', () => expect(estimate(t, 'dm')).toBeCloseTo(0.5, 15));
  it('DR = DM + Σ w·(r − q̂)/n = 0.5 − 0.8/4', () => expect(estimate(t, 'dr')).toBeCloseTo(0.3, 15));
  it('SNDR = DM + Σ w·(r − q̂)/Σ w = 0.5 − 0.8/6', () => expect(estimate(t, 'sndr')).toBeCloseTo(0.5 - 0.8 / 6, 15));
  it('on a subset of rows (the bootstrap path) only those rows count', () => {
    expect(estimate(t, 'ips', [0, 0, 2])).toBeCloseTo(4 / 3, 15);
  });
  it('DM/DR are NaN without a reward model; bad propensities are refused in a sentence', () => {
    const bare = opeTerms({ reward: [1], loggedPropensity: [0.5], targetProbability: [1] });
    expect(estimate(bare, 'dm')).toBeNaN();
    expect(() => opeTerms({ reward: [1], loggedPropensity: [0], targetProbability: [1] })).toThrow(/must be in \(0, 1\]/);
  });
  it('on-policy (target = logger) every weighted estimator is the logged mean', () => {
    const on = opeTerms({ reward: [1, 0, 0, 1, 1], loggedPropensity: [0.2, 0.3, 0.5, 0.2, 0.3], targetProbability: [0.2, 0.3, 0.5, 0.2, 0.3] });
    expect(estimate(on, 'ips')).toBeCloseTo(0.6, 15);
    expect(estimate(on, 'snips')).toBeCloseTo(0.6, 15);
  });
});

// Reference: numpy 2.4 np.quantile (default 'linear' method).
describe('percentile', () => {
  it('matches numpy', () => {
    const x = [1, 1, 2, 3, 4, 5, 6, 9];
    expect(quantile(x, 0.025)).toBeCloseTo(1.0, 12);
    expect(quantile(x, 0.975)).toBeCloseTo(8.475, 12);
    expect(quantile(x, 0.5)).toBeCloseTo(3.5, 12);
  });
});
