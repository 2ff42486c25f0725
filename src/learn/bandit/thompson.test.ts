import { describe, expect, it } from 'vitest';
import { inverseIncompleteBeta } from '../math/incomplete-beta.js';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { normalQuantile, sigmoid } from '../math/special.js';
import { mixture } from './exploration.js';
import { createPosterior, laplaceUpdate, linearPredictor, predictiveMean } from './logistic-posterior.js';
import { populationPrior } from './population-prior.js';
import { banditFromJson, banditToJson } from './serialize.js';
import { type BanditState, type ChooseOptions, actionProbabilities, addAction, chooseAction, createBandit, defaultBanditConfig, scoreDistributions, updateBandit, withIntercept } from './thompson.js';

function trained(seed = 1): BanditState {
  const bandit = createBandit(['a', 'b', 'c'], defaultBanditConfig(2));
  const rng = new Rng(seed);
  const truth: Record<string, [number, number, number]> = { a: [-1, 1, 0], b: [-1, -1, 0.5], c: [-2, 0, 0] };
  for (let t = 0; t < 3000; t++) {
    const x = [normal(rng), normal(rng)];
    const { action } = chooseAction(bandit, x, rng);
    const [b0, b1, b2] = truth[action];
    updateBandit(bandit, action, x, rng.float() < sigmoid(b0 + b1 * x[0] + b2 * x[1]) ? 1 : 0);
  }
  return bandit;
}

describe('logistic Laplace posterior', () => {
  it('puts the mean at the posterior mode: prior pull equals the likelihood gradient', () => {
    const post = createPosterior([0.2, -0.1], [2, 2]);
    const x = [1, 1.5];
    laplaceUpdate(post, x, 1);
    // Mode condition for prior N(m0, S0): S0⁻¹(θ − m0) = (y − σ(xᵀθ))·x, with S0 = 2I.
    const p = sigmoid(post.mean[0] + 1.5 * post.mean[1]);
    expect((post.mean[0] - 0.2) / 2).toBeCloseTo((1 - p) * 1, 12);
    expect((post.mean[1] + 0.1) / 2).toBeCloseTo((1 - p) * 1.5, 12);
    expect(linearPredictor(post, x).variance).toBeLessThan(2 * (1 + 2.25));
  });

  it('recovers known coefficients from 20,000 outcomes', () => {
    const post = createPosterior([0, 0, 0], [1, 1, 1]);
    const rng = new Rng(2);
    for (let t = 0; t < 20_000; t++) {
      const x = [1, normal(rng), normal(rng)];
      laplaceUpdate(post, x, rng.float() < sigmoid(-1 + 0.8 * x[1] - 0.5 * x[2]) ? 1 : 0);
    }
    expect(post.mean[0]).toBeCloseTo(-1, 1);
    expect(post.mean[1]).toBeCloseTo(0.8, 1);
    expect(post.mean[2]).toBeCloseTo(-0.5, 1);
  });

  it('computes E[σ(Z)] within 0.02 of a Monte Carlo mean of 200,000 draws (and exactly: predictive-mean.test.ts)', () => {
    expect(predictiveMean(0, 0)).toBe(0.5);
    const rng = new Rng(8);
    let s = 0;
    for (let i = 0; i < 200_000; i++) s += sigmoid(-1 + 1.5 * normal(rng));
    expect(Math.abs(predictiveMean(-1, 2.25) - s / 200_000)).toBeLessThan(0.02);
  });
});

describe('contextual Thompson bandit', () => {
  it('logs the probability with which it actually chooses (empirical frequency within 5 s.e.)', () => {
    const bandit = trained();
    const x = [0.4, -0.3];
    const probs = actionProbabilities(bandit, x);
    const rng = new Rng(99);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const c = chooseAction(bandit, x, rng);
      counts[c.action]++;
      expect(c.propensity).toBeCloseTo(probs[c.action], 12);
    }
    for (const id of ['a', 'b', 'c']) expect(Math.abs(counts[id] / n - probs[id])).toBeLessThanOrEqual(5 * Math.sqrt((probs[id] * (1 - probs[id])) / n) + 1e-9);
    expect(Object.values(probs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
  });

  it('logs the exact probability of the whole mixture — floor, greedy share, Thompson sampling — checked by 40,000 draws', () => {
    // If the logged π(a) is the chooser's probability, the count C_a of a in N independent draws
    // (fixed state and context, fresh random numbers) is Binomial(N, π(a)). The Clopper–Pearson
    // interval at confidence 1 − δ/K holds π(a) with probability ≥ 1 − δ/K (Clopper & Pearson 1934),
    // so all K at once with ≥ 1 − δ (Bonferroni); δ = 10⁻⁶, plus the logged numerical error bound.
    // Its half-width is about Φ⁻¹(1 − δ/2K)·√(π(1 − π)/N) ≤ 5.3 × 0.0025 = 0.013 at N = 40,000, so
    // a propensity that left out the floor (ε/K = 0.02 here), the greedy share or a tie would fail.
    const bandit = createBandit([], { ...trained().config, floorEpsilon: 0.06, maxExplorationShare: 0.1 });
    bandit.actions = trained().actions;
    const x = [0.4, -0.3];
    const check = (opts: ChooseOptions, ids: string[]) => {
      const probs = actionProbabilities(bandit, x, opts);
      expect(Object.values(probs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      const rng = new Rng(99);
      const counts = new Map(ids.map((id) => [id, 0]));
      const n = 40_000;
      let error = 0;
      for (let i = 0; i < n; i++) {
        const c = chooseAction(bandit, x, rng, opts);
        counts.set(c.action, counts.get(c.action)! + 1);
        expect(c.propensity).toBeCloseTo(probs[c.action], 12);
        error = Math.max(error, c.propensityError);
      }
      const delta = 1e-6 / ids.length;
      for (const id of ids) {
        const k = counts.get(id)!;
        const low = k === 0 ? 0 : inverseIncompleteBeta(delta / 2, k, n - k + 1);
        const high = k === n ? 1 : inverseIncompleteBeta(1 - delta / 2, k + 1, n - k);
        expect(probs[id], `${id}: ${k} of ${n}`).toBeGreaterThanOrEqual(low - error);
        expect(probs[id], `${id}: ${k} of ${n}`).toBeLessThanOrEqual(high + error);
      }
      return probs;
    };
    // Values 1, 2 and −1 (a negative value counts as 0: c's score is a constant 0, below the
    // others', so c is chosen only by the floor, ε/3 = 0.02); the budget forces a greedy share q > 0.
    const values = { a: 1, b: 2, c: -1 };
    const K = 3;
    const mix = mixture(bandit.config, scoreDistributions(bandit.actions, withIntercept(x), [1, 2, 0]), K);
    expect(mix.q).toBeGreaterThan(0.2);
    const probs = check({ values }, ['a', 'b', 'c']);
    expect(probs.c).toBeCloseTo(0.06 / K, 9);
    expect(1 - probs[bandit.actions[mix.greedy].id]).toBeCloseTo(0.1, 9); // the budget, exactly
    // Every eligible value negative: both scores the constant 0, a tie the samplers give to the first.
    expect(check({ eligible: ['b', 'c'], values: { b: -1, c: -2 } }, ['b', 'c'])).toEqual({ b: 1 - 0.06 / 2, c: 0.06 / 2 });
    expect(normalQuantile(1 - 1e-6 / 6)).toBeLessThan(5.3);
  });

  it('learns the better action', () => {
    const bandit = trained();
    const probs = actionProbabilities(bandit, [2, 0]);
    expect(probs.a).toBeGreaterThan(0.9);
  });

  it('respects the exploration budget and the floor, exactly', () => {
    const young = createBandit(['a', 'b', 'c', 'd'], { ...defaultBanditConfig(2), maxExplorationShare: 0.1, floorEpsilon: 0.04 });
    const x = [0.1, 0.2];
    const probs = actionProbabilities(young, x);
    const greedy = chooseAction(young, x, new Rng(1)).greedyAction;
    expect(1 - probs[greedy]).toBeLessThanOrEqual(0.1 + 1e-9);
    for (const p of Object.values(probs)) expect(p).toBeGreaterThanOrEqual(0.04 / 4 - 1e-12);
    expect(Object.values(probs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
  });

  it('chooses among eligible actions only, with propensities over that set', () => {
    const bandit = trained();
    const c = chooseAction(bandit, [0, 0], new Rng(5), { eligible: ['b', 'c'] });
    expect(['b', 'c']).toContain(c.action);
    const probs = actionProbabilities(bandit, [0, 0], { eligible: ['b', 'c'] });
    expect(probs.b + probs.c).toBeCloseTo(1, 8);
    expect(() => chooseAction(bandit, [0, 0], new Rng(5), { eligible: [] })).toThrow(/No eligible action/);
  });

  it('ramps a new action in from the population prior, not from nothing', () => {
    const bandit = trained();
    const prior = populationPrior(bandit.actions, 3, 1, bandit.config.rampEvidence);
    expect(prior.pooledFrom).toBe(3);
    const added = addAction(bandit, 'new');
    expect(added.evidence).toBe(0);
    expect(added.mean[0]).toBeCloseTo(prior.mean[0], 12);
    expect(added.mean[0]).toBeLessThan(0); // established actions click rarely at x = 0, so does the newcomer a priori
    const p = actionProbabilities(bandit, [0, 0]).new;
    expect(p).toBeGreaterThan(0.001);
    expect(p).toBeLessThan(0.9);
    expect(() => addAction(bandit, 'new')).toThrow(/already exists/);
  });

  it('survives a JSON round trip exactly', () => {
    const bandit = trained();
    const back = banditFromJson(JSON.parse(JSON.stringify(banditToJson(bandit))));
    expect(actionProbabilities(back, [0.3, 0.3])).toEqual(actionProbabilities(bandit, [0.3, 0.3]));
    expect(chooseAction(back, [1, 1], new Rng(3))).toEqual(chooseAction(bandit, [1, 1], new Rng(3)));
    expect(() => banditFromJson({} as never)).toThrow(/not a stored Tact bandit/);
  });
});

describe('action estimate', () => {
  it('reports the predictive click probability with an interval, learning while ramping', async () => {
    const { actionEstimate } = await import('./action-estimate.js');
    const bandit = trained();
    const e = actionEstimate(bandit, 'a', [2, 0], { establishedWhen: { maxWidth: 0.5 }, updatedAt: '2026-01-01T00:00:00.000Z' });
    expect(e.value).toBeGreaterThan(e.low);
    expect(e.value).toBeLessThan(e.high);
    expect(e.value).toBeCloseTo(sigmoid(1), 1); // truth for a at x = (2, 0): σ(−1 + 2)
    expect(e.status).toBe('established');
    addAction(bandit, 'fresh');
    expect(actionEstimate(bandit, 'fresh', [2, 0], { establishedWhen: { maxWidth: 1 }, updatedAt: '' }).status).toBe('learning');
  });
});
