import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { sigmoid } from '../math/special.js';
import { createPosterior, laplaceUpdate, linearPredictor } from './logistic-posterior.js';
import { type RelinearizeOptions, observe, refit, startRelinearization } from './relinearize.js';
import { createBandit, defaultBanditConfig, updateBandit } from './thompson.js';

const Z90 = 1.6448536269514722;

/** Outcomes of a logistic model with coefficients `theta` at random contexts (intercept first). */
function stream(theta: number[], n: number, rng: Rng): { x: number[]; y: number }[] {
  return Array.from({ length: n }, () => {
    const x = [1, ...theta.slice(1).map(() => normal(rng))];
    const eta = x.reduce((s, v, i) => s + v * theta[i], 0);
    return { x, y: rng.float() < sigmoid(eta) ? 1 : 0 };
  });
}

function learn(rows: { x: number[]; y: number }[], prior: { mean: number[]; variances: number[] }, opts: RelinearizeOptions | null) {
  const post = createPosterior(prior.mean, prior.variances);
  const r = opts ? startRelinearization(post, opts) : undefined;
  for (const { x, y } of rows) {
    laplaceUpdate(post, x, y);
    if (r && opts) observe(post, r, x, y, opts);
  }
  return { post, r };
}

describe('re-linearised Laplace posterior', () => {
  it('a refit is the Laplace approximation of prior × every outcome: zero gradient at the mean, precision = prior + Σ σ′·xxᵀ (Bishop 2006, §4.4)', () => {
    const rows = stream([-2, 0.8, -0.5], 400, new Rng(3));
    const prior = { mean: [0.3, 0, 0], variances: [4, 1, 1] };
    const { post, r } = learn(rows, prior, { window: 10_000, growth: 1.2, minStep: 20 });
    refit(post, r!);
    const d = 3;
    const grad = prior.mean.map((m, i) => -(post.mean[i] - m) / prior.variances[i]);
    const precision = Array.from({ length: d * d }, (_, k) => (Math.floor(k / d) === k % d ? 1 / prior.variances[k % d] : 0));
    for (const { x, y } of rows) {
      const p = sigmoid(x.reduce((s, v, i) => s + v * post.mean[i], 0));
      for (let i = 0; i < d; i++) {
        grad[i] += (y - p) * x[i];
        for (let j = 0; j < d; j++) precision[i * d + j] += p * (1 - p) * x[i] * x[j];
      }
    }
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-8);
    // cov · precision = I
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += post.cov[i * d + k] * precision[k * d + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 8);
      }
    }
  });

  it('folding old outcomes into the anchor moves the refit by under a quarter of a posterior sd and its variance by under 10%, and keeps the window bounded', () => {
    const rows = stream([-2, 0.8, -0.5], 3000, new Rng(4));
    const prior = { mean: [0, 0, 0], variances: [1, 1, 1] };
    const full = learn(rows, prior, { window: 10_000, growth: 1.2, minStep: 20 });
    const folded = learn(rows, prior, { window: 200, growth: 1.2, minStep: 20 });
    refit(full.post, full.r!);
    refit(folded.post, folded.r!);
    expect(folded.r!.count).toBeLessThanOrEqual(200);
    for (let i = 0; i < 3; i++) {
      const sd = Math.sqrt(full.post.cov[i * 3 + i]);
      expect(Math.abs(folded.post.mean[i] - full.post.mean[i])).toBeLessThan(0.25 * sd);
      expect(folded.post.cov[i * 3 + i] / full.post.cov[i * 3 + i]).toBeGreaterThan(0.9);
      expect(folded.post.cov[i * 3 + i] / full.post.cov[i * 3 + i]).toBeLessThan(1.1);
    }
  });

  // Calibration as Cook, Gelman & Rubin (2006) check Bayesian software: when the truth is drawn
  // from the prior, a 90% credible interval holds it 90% of the time over replications.
  it('with the truth drawn from the prior, 90% intervals of xᵀθ hold it ≈ 90% of the time with refits; pure online steps hold it less often', () => {
    const rng = new Rng(11);
    const reps = 400;
    let online = 0;
    let refitted = 0;
    const prior = { mean: [-2, 0, 0], variances: [1, 0.25, 0.25] };
    for (let rep = 0; rep < reps; rep++) {
      const theta = prior.mean.map((m, i) => m + Math.sqrt(prior.variances[i]) * normal(rng));
      const rows = stream(theta, 300, rng);
      const a = learn(rows, prior, null);
      const b = learn(rows, prior, { window: 2000, growth: 1.2, minStep: 20 });
      const x = [1, normal(rng), normal(rng)];
      const truth = x.reduce((s, v, i) => s + v * theta[i], 0);
      for (const [post, add] of [[a.post, (v: number) => (online += v)], [b.post, (v: number) => (refitted += v)]] as const) {
        const lp = linearPredictor(post, x);
        add(Math.abs(truth - lp.mean) <= Z90 * Math.sqrt(lp.variance) ? 1 : 0);
      }
    }
    // Binomial(400, 0.9): sd 1.5 points; the band is ±3 sd.
    expect(refitted / reps).toBeGreaterThan(0.855);
    expect(refitted / reps).toBeLessThan(0.945);
    expect(online).toBeLessThan(refitted);
  });

  it('is on in the bandit by default, off with refitWindow 0, and never stored', () => {
    const on = createBandit(['a'], defaultBanditConfig(2));
    const off = createBandit(['a'], { ...defaultBanditConfig(2), refitWindow: 0 });
    const rng = new Rng(5);
    for (let t = 0; t < 500; t++) {
      const x = [normal(rng), normal(rng)];
      const y = rng.float() < sigmoid(-1 + x[0]) ? 1 : 0;
      updateBandit(on, 'a', x, y);
      updateBandit(off, 'a', x, y);
    }
    expect(on.actions[0].relin!.refits).toBeGreaterThan(5);
    expect(off.actions[0].relin).toBeUndefined();
    expect(on.actions[0].mean[0]).not.toBe(off.actions[0].mean[0]);
  });

  it('never costs an outcome: when the numbers fail (a covariance no longer positive definite), the action keeps its online steps and stops refitting', () => {
    const bandit = createBandit(['a'], defaultBanditConfig(1));
    const a = bandit.actions[0];
    a.cov.set([1, 2, 2, 1]); // indefinite
    expect(() => updateBandit(bandit, 'a', [0.5], 1)).not.toThrow();
    expect(a.relin).toBeNull();
    expect(a.evidence).toBe(1);
    updateBandit(bandit, 'a', [0.5], 0);
    expect(a.evidence).toBe(2);
  });
});
