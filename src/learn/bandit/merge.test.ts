import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { sigmoid } from '../math/special.js';
import { type LogisticPosterior, createPosterior, laplaceUpdate } from './logistic-posterior.js';
import { mergePosterior, spdInverse } from './merge.js';

const clone = (p: LogisticPosterior): LogisticPosterior => ({ ...createPosterior(p.mean, p.cov, true), evidence: p.evidence, rewardSum: p.rewardSum });

function absorb(p: LogisticPosterior, rng: Rng, n: number): LogisticPosterior {
  for (let t = 0; t < n; t++) {
    const x = [1, normal(rng)];
    laplaceUpdate(p, x, rng.float() < sigmoid(-0.5 + 1.2 * x[1]) ? 1 : 0);
  }
  return p;
}

describe('merging posteriors learned by several processes', () => {
  it('inverts a symmetric positive-definite matrix (A·A⁻¹ = I) and refuses an indefinite one', () => {
    const a = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]);
    const inv = spdInverse(a, 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
      expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
    }
    expect(() => spdInverse([1, 2, 2, 1], 2)).toThrow(/not positive definite/);
  });

  it('adds exactly what one side learned: unchanged local gives the stored one, unchanged store gives the local one', () => {
    const prior = createPosterior([0, 0], [1, 1]);
    const a = absorb(clone(prior), new Rng(1), 300);
    const b = absorb(clone(prior), new Rng(2), 300);
    const m1 = mergePosterior(a, prior, prior);
    const m2 = mergePosterior(prior, prior, b);
    for (let i = 0; i < 2; i++) {
      expect(m1.mean[i]).toBeCloseTo(a.mean[i], 9);
      expect(m2.mean[i]).toBeCloseTo(b.mean[i], 9);
    }
    for (let i = 0; i < 4; i++) expect(m2.cov[i]).toBeCloseTo(b.cov[i], 12);
    expect(m1.evidence).toBe(300);
  });

  it('two processes learning from the same prior merge to about what one process learning everything would hold', () => {
    const prior = createPosterior([0, 0], [1, 1]);
    const a = absorb(clone(prior), new Rng(3), 2000);
    const b = absorb(clone(prior), new Rng(4), 2000);
    const merged = mergePosterior(a, prior, b);
    const one = absorb(absorb(clone(prior), new Rng(3), 2000), new Rng(4), 2000);
    expect(merged.evidence).toBe(4000);
    for (let i = 0; i < 2; i++) expect(Math.abs(merged.mean[i] - one.mean[i])).toBeLessThan(0.03);
    for (let i = 0; i < 4; i++) expect(Math.abs(merged.cov[i] - one.cov[i])).toBeLessThan(1e-3);
  });
});
