import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { betaMean } from './beta-binomial.js';
import { type LadderModel, climbLadder, ladderEstimate } from './ladder.js';

const model: LadderModel = {
  populationPrior: { alpha: 2, beta: 98 },
  concentration: { segment: 200, 'micro-segment': 100, personal: 30 },
  minDataWeight: 0.2,
  establishedWhen: { maxWidth: 0.05 },
  level: 0.9,
  modelVersion: 'rates@test',
};
const now = '2026-01-01T00:00:00.000Z';

describe('the granularity ladder', () => {
  // Until 2026-12-06 the value was the population's own mean 402/10 100, the two sends dropped.
  it('stays at the population for a new subject with two sends, the sends in its rate', () => {
    const { estimate } = ladderEstimate(model, { population: { successes: 400, trials: 10_000 }, segment: { successes: 1, trials: 20 }, personal: { successes: 0, trials: 2 } }, now);
    expect(estimate.source).toBe('population');
    expect(estimate.value).toBeCloseTo((30 * (402 / 10_100)) / 32, 12);
    expect(estimate.evidence).toBe(10_002);
  });

  it('climbs rung by rung as evidence earns it, and says "personal" only when personal data weigh ≥ 20%', () => {
    const counts = { population: { successes: 400, trials: 10_000 }, segment: { successes: 120, trials: 2000 }, 'micro-segment': { successes: 30, trials: 400 }, personal: { successes: 3, trials: 5 } };
    expect(climbLadder(model, counts).rung).toBe('micro-segment');
    const more = { ...counts, personal: { successes: 5, trials: 10 } };
    const { estimate, details } = ladderEstimate(model, more, now);
    expect(estimate.source).toBe('personal');
    expect(details.at(-1)!.dataWeight).toBeCloseTo(10 / 40, 12);
    expect(estimate.evidence).toBe(10);
  });

  it('skips absent rungs and never starts a rung more certain than its parent', () => {
    const { details } = climbLadder({ ...model, concentration: { segment: 1e6, 'micro-segment': 1e6, personal: 1e6 } }, { population: { successes: 1, trials: 10 }, personal: { successes: 0, trials: 5 } });
    expect(details.map((d) => d.rung)).toEqual(['population', 'personal']);
    const parentStrength = details[0].posterior.alpha + details[0].posterior.beta;
    expect(details[1].posterior.alpha + details[1].posterior.beta).toBeCloseTo(parentStrength + 5, 9);
  });

  it('shrinks: every rung lies between its parent mean and its own raw rate (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), (trials, s0) => {
        const successes = Math.min(s0, trials);
        const { details } = climbLadder(model, { population: { successes: 400, trials: 10_000 }, personal: { successes, trials } });
        const parent = betaMean(details[0].posterior);
        const own = successes / trials;
        const m = betaMean(details[1].posterior);
        return m >= Math.min(parent, own) - 1e-12 && m <= Math.max(parent, own) + 1e-12;
      }),
    );
  });

  // QA's subject u00007 (8 successes in 60 trials) among 10 053 others' trials with 1 868 successes,
  // under a training that fitted κ_segment = 7.96 and κ_personal = 35.9. A segment defined after the
  // exposures holds none of them (each trial was credited to the groups of its day). Until
  // 2026-12-05 that empty rung still centred the personal rung and capped its κ_eff at
  // α + β = 7.96: 0.1395 [0.0774, 0.2137] instead of 0.1530. Figures from scipy.stats.beta:
  // prior Beta(35.9·m, 35.9·(1 − m)), m = 1869/10055, posterior Beta(14.673008, 81.226992),
  // mean 0.153003216407776, ppf(0.05) 0.09721169385550599, ppf(0.95) 0.21705059791078155.
  it('takes the personal prior from the deepest earned rung: an empty or unearned rung changes nothing', () => {
    const fitted: LadderModel = { ...model, populationPrior: { alpha: 1, beta: 1 }, concentration: { segment: 7.96, 'micro-segment': 100, personal: 35.9 } };
    const population = { successes: 1868, trials: 10_053 };
    const personal = { successes: 8, trials: 60 };
    const without = ladderEstimate(fitted, { population, personal }, now).estimate;
    for (const segment of [undefined, { successes: 0, trials: 0 }, { successes: 1, trials: 1 }]) {
      const { estimate, details } = ladderEstimate(fitted, { population, ...(segment ? { segment } : {}), personal }, now);
      expect(estimate.source).toBe('personal');
      expect(estimate.value).toBeCloseTo(0.153003216407776, 12);
      expect(estimate.low).toBeCloseTo(0.09721169385550599, 9);
      expect(estimate.high).toBeCloseTo(0.21705059791078155, 9);
      expect(estimate).toEqual(without);
      expect(details.at(-1)!.posterior.alpha + details.at(-1)!.posterior.beta).toBeCloseTo(35.9 + 60, 9);
    }
    // An earned segment (40 of 100, weight 100/107.96) centres it, and an unearned micro-segment
    // below it (1 trial against κ 100) does not: m = 0.3842125442, posterior Beta(21.793230,
    // 74.106770): mean 0.22724953428565878, ppf(0.05) 0.16057277099002032, ppf(0.95) 0.3004235598222957.
    const { estimate } = ladderEstimate(fitted, { population, segment: { successes: 40, trials: 100 }, 'micro-segment': { successes: 1, trials: 1 }, personal }, now);
    expect(estimate.source).toBe('personal');
    expect(estimate.value).toBeCloseTo(0.22724953428565878, 12);
    expect(estimate.low).toBeCloseTo(0.16057277099002032, 9);
    expect(estimate.high).toBeCloseTo(0.3004235598222957, 9);
  });
});
