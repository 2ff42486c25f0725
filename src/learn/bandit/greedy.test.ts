import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { actionEstimate } from './action-estimate.js';
import { bestExpected, mixture } from './exploration.js';
import { createPosterior, predictiveMean } from './logistic-posterior.js';
import { expectedScore } from './propensity.js';
import { type BanditState, actionProbabilities, chooseAction, defaultBanditConfig } from './thompson.js';

/**
 * The exploiting ("greedy") action is the one of highest expected reward under the posterior,
 * v·E[σ(Z)] − c with Z ~ N(μ, σ²) — not v·σ(μ) − c, the reward at the posterior mean, which
 * overrates an uncertain action (σ is concave above 0). E[σ(Z)] = ∫ σ(μ + σu) φ(u) du has no closed
 * form; the figures below are SciPy 1.17.1's
 *   scipy.integrate.quad(lambda u: expit(mu + s*u) * norm.pdf(u), -inf, inf, epsabs=1e-13)
 * (quad's error estimates < 10⁻⁸). Each case separates the two rankings by more than 0.05 in
 * probability, so the ranking does not hang on the last digits of either.
 */
const EXACT = {
  /** μ = 1, σ = 3: σ(μ) = 0.7311. */
  wide: 0.613247394529224,
  /** μ = 0.7, σ = 0: σ(0.7). */
  known: 0.6681877721681662,
  /** μ = 2, σ = 4: σ(μ) = 0.8808. */
  wider: 0.6761722188507465,
  /** μ = 1.2, σ = 0.3: σ(μ) = 0.7685. */
  narrow: 0.7643328154566617,
};

describe('greedy action = highest posterior expected reward', () => {
  it('predictiveMean, which the greedy choice ranks by, agrees with the SciPy integrals (predictive-mean.test.ts)', () => {
    expect(Math.abs(predictiveMean(1, 9) - EXACT.wide)).toBeLessThan(1e-9);
    expect(predictiveMean(0.7, 0)).toBeCloseTo(EXACT.known, 15);
    expect(Math.abs(predictiveMean(2, 16) - EXACT.wider)).toBeLessThan(1e-9);
    expect(Math.abs(predictiveMean(1.2, 0.09) - EXACT.narrow)).toBeLessThan(1e-9);
  });

  it('without values: a sure 0.668 beats an uncertain action whose posterior mean reads 0.731 but is worth 0.613', () => {
    expect(EXACT.known).toBeGreaterThan(EXACT.wide + 0.05);
    const mix = mixture({ ...defaultBanditConfig(0), maxExplorationShare: 0.2 }, { means: [1, 0.7], sds: [3, 0] }, 2);
    expect(mix.greedy).toBe(1);
  });

  it('with values and costs: 2·0.764 − 0.1 beats 2·0.676 − 0.1 although 2·σ(2) > 2·σ(1.2)', () => {
    expect(2 * EXACT.narrow).toBeGreaterThan(2 * EXACT.wider + 0.1);
    const dist = { means: [2, 1.2, 0], sds: [4, 0.3, 0], values: [2, 2, 0], offsets: [0.1, 0.1, -1.2] }; // last: "none", score 1.2
    expect(mixture({ ...defaultBanditConfig(0), maxExplorationShare: 0.2 }, dist, 3).greedy).toBe(1);
    // "none" (1.2) beats both actions' expected rewards once their cost is 0.5: 2·0.764 − 0.5 = 1.029.
    expect(mixture(defaultBanditConfig(0), { ...dist, offsets: [0.5, 0.5, -1.2] }, 3).greedy).toBe(2);
  });

  it('skips the integral only for actions the Taylor bounds rule out: the same greedy as computing every one', () => {
    // |E[σ(μ + sU)] − σ(μ)| ≤ sup|σ''|/2 · s² = s²/(12√3). 2,000 seeded random decisions, some with
    // equal actions (the first of equal scores is greedy), some with values, costs and "none".
    const rng = new Rng(31);
    for (let t = 0; t < 2000; t++) {
      const K = 2 + rng.int(8);
      const means = Array.from({ length: K }, () => -3 + 2 * normal(rng));
      const sds = Array.from({ length: K }, () => (rng.float() < 0.2 ? 0 : rng.float() < 0.5 ? 0.05 * rng.float() : 2 * rng.float()));
      if (t % 5 === 0) { means[K - 1] = means[0]; sds[K - 1] = sds[0]; }
      const dist = t % 2 ? { means, sds } : { means, sds, values: means.map(() => rng.float() < 0.1 ? 0 : 1 + 4 * rng.float()), offsets: means.map(() => 0.1 * rng.float()) };
      let want = 0;
      for (let j = 1; j < K; j++) if (expectedScore(dist, j) > expectedScore(dist, want)) want = j;
      expect(bestExpected(dist, K)).toBe(want);
    }
  });

  it('the chooser reports as greedy, and forces under its budget, the action whose reported estimate is highest', () => {
    // One feature fixed at 0, so each action's linear predictor is its intercept: N(1, 9) and N(0.7, 0.01).
    const config = { ...defaultBanditConfig(1), maxExplorationShare: 0.1, floorEpsilon: 0 };
    const state: BanditState = {
      config,
      updates: 0,
      actions: [
        { id: 'uncertain', ...createPosterior([1, 0], [9, 1]) },
        { id: 'known', ...createPosterior([0.7, 0], [0.01, 1]) },
      ],
    };
    const est = (id: string) => actionEstimate(state, id, [0], { establishedWhen: { maxWidth: 1 }, updatedAt: '' }).value;
    expect(est('known')).toBeGreaterThan(est('uncertain'));
    const choice = chooseAction(state, [0], new Rng(1));
    expect(choice.greedyAction).toBe('known');
    // The budget caps the non-greedy share at 0.1, exactly, so the greedy one is chosen 90% of the time.
    expect(actionProbabilities(state, [0]).known).toBeCloseTo(0.9, 9);
  });
});
