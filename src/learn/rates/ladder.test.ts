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
  it('stays at the population for a new subject with two sends', () => {
    const { estimate } = ladderEstimate(model, { population: { successes: 400, trials: 10_000 }, segment: { successes: 1, trials: 20 }, personal: { successes: 0, trials: 2 } }, now);
    expect(estimate.source).toBe('population');
    expect(estimate.value).toBeCloseTo(402 / 10_100, 12);
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
});
