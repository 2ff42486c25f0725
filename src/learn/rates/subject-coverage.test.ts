import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { beta } from '../math/samplers.js';
import type { RateCounts } from './beta-binomial.js';
import { fitConcentration } from './concentration.js';
import { type LadderModel, ladderEstimate } from './ladder.js';

// A subject's estimate is an interval for THAT subject's rate, whatever rung it is shown from:
// subjects' true rates are drawn from a known Beta (seeded), the ladder's κ is fitted on them, and
// the 90% interval of new subjects with no or few trials of their own must hold their true rate
// about 90% of the time. Until 2026-12-06 a subject below the personal rung was shown the group's
// posterior of its MEAN rate: 1.6% of the subjects' rates fell inside QA's population interval.
//
// Tolerance: the number of subjects covered is Binomial(N, 0.9); its normal approximation gives a
// standard deviation √(0.9·0.1/N) = 0.0067 at N = 2,000, and the test allows 3 of them (0.02) —
// the Wilson score interval at z = 3 (Wilson, JASA 22 (1927) 209–212) is the same to 4 decimals here.
const N = 2000;
const TOLERANCE = 3 * Math.sqrt((0.9 * 0.1) / N);

const binomial = (rng: Rng, n: number, p: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) if (rng.float() < p) s++;
  return s;
};

/** Subjects with rates ~ Beta(κm, κ(1 − m)) and `trials(i)` trials each. */
function subjects(rng: Rng, kappa: number, m: number, count: number, trials: (i: number) => number): { rate: number; counts: RateCounts }[] {
  return Array.from({ length: count }, (_, i) => {
    const rate = beta(rng, kappa * m, kappa * (1 - m));
    const n = trials(i);
    return { rate, counts: { successes: binomial(rng, n, rate), trials: n } };
  });
}

const sum = (cs: RateCounts[]): RateCounts => cs.reduce((a, c) => ({ successes: a.successes + c.successes, trials: a.trials + c.trials }), { successes: 0, trials: 0 });

const base = (personal: number, segment = 100): LadderModel => ({
  populationPrior: { alpha: 1, beta: 1 },
  concentration: { segment, 'micro-segment': 100, personal },
  minDataWeight: 0.2,
  establishedWhen: { maxWidth: 0.05 },
  level: 0.9,
  modelVersion: 'rates@test',
});

describe('a subject\'s rate interval covers its own rate, at any rung', () => {
  it('QA\'s case: κ fitted ≈ 4.21 around a population at 0.401; a subject with no trials is shown ≈ [0.08, 0.78], learning, and 90% of new subjects\' rates fall inside', () => {
    const rng = new Rng(20261206);
    // Training: 3,000 subjects with 8 trials each (24,000 trials, as in QA's server).
    const train = subjects(rng, 4.21, 0.401, 3000, () => 8);
    const population = sum(train.map((s) => s.counts));
    const popMean = (population.successes + 1) / (population.trials + 2);
    const kappa = fitConcentration(train.map((s) => ({ ...s.counts, parentMean: popMean })))!;
    expect(kappa).toBeGreaterThan(3.5);
    expect(kappa).toBeLessThan(5);
    const model = base(kappa);
    const { estimate } = ladderEstimate(model, { population }, null);
    expect(estimate).toMatchObject({ source: 'population', status: 'learning', evidence: 24_000 });
    // scipy.stats.beta.ppf([0.05, 0.95], 4.21·0.401, 4.21·0.599) = [0.0805, 0.7794]; the fitted κ and mean differ a little.
    expect(estimate.low).toBeGreaterThan(0.05);
    expect(estimate.low).toBeLessThan(0.11);
    expect(estimate.high).toBeGreaterThan(0.75);
    expect(estimate.high).toBeLessThan(0.81);
    const fresh = subjects(rng, 4.21, 0.401, N, () => 0);
    const inside = fresh.filter((s) => s.rate >= estimate.low && s.rate <= estimate.high).length / N;
    expect(Math.abs(inside - 0.9)).toBeLessThan(TOLERANCE);
  });

  it('a segment\'s member with 0–5 trials of its own (personal rung not earned at κ ≈ 40) is covered 90% of the time', () => {
    const rng = new Rng(7);
    // Population: most subjects around 0.05; the segment's around 0.2 (κ = 40 in both).
    const others = subjects(rng, 40, 0.05, 4000, () => 10);
    const members = subjects(rng, 40, 0.2, 3000, () => 20);
    const segment = sum(members.map((s) => s.counts));
    const population = sum([...others, ...members].map((s) => s.counts));
    const segMean = (segment.successes + 1) / (segment.trials + 2);
    const kappa = fitConcentration(members.map((s) => ({ ...s.counts, parentMean: segMean })))!;
    expect(kappa).toBeGreaterThan(25);
    expect(kappa).toBeLessThan(60);
    const model = base(kappa);
    for (const few of [0, 1, 3, 5]) {
      const fresh = subjects(rng, 40, 0.2, N, () => few);
      let inside = 0;
      for (const s of fresh) {
        const { estimate } = ladderEstimate(model, { population, segment, personal: s.counts }, null);
        expect(estimate.source).toBe('segment');
        expect(estimate.status).toBe('learning');
        if (s.rate >= estimate.low && s.rate <= estimate.high) inside++;
      }
      expect(Math.abs(inside / N - 0.9), `${few} trials: ${inside} of ${N} inside`).toBeLessThan(TOLERANCE);
    }
  });
});
