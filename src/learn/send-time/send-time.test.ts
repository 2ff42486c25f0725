import { describe, expect, it } from 'vitest';
import { SLOTS, bestSendSlot, populationSendTimePrior, slotOf, smoothSlots } from './send-time.js';
import { dirichletMultinomialLogLik, fitSendTimeStrength } from './strength.js';
import { Rng } from '../math/prng.js';
import { categorical, dirichlet } from '../math/samplers.js';

const opts = { minEvents: 5, modelVersion: 'send-time@test', updatedAt: '2026-01-01T00:00:00.000Z' };

describe('send time', () => {
  it('numbers hours of the week from Monday 00:00 in the subject’s time zone', () => {
    expect(slotOf(new Date('2026-11-23T00:00:00Z'))).toBe(0); // a Monday
    expect(slotOf(new Date('2026-11-23T09:30:00Z'), 60)).toBe(10);
    expect(slotOf(new Date('2026-11-29T23:59:00Z'))).toBe(167); // Sunday 23:00
  });

  it('smoothing keeps the total and spreads to neighbours (circularly)', () => {
    const c = new Float64Array(SLOTS);
    c[0] = 4;
    const s = smoothSlots(c, 1);
    expect(s[0]).toBe(2);
    expect(s[1]).toBe(1);
    expect(s[167]).toBe(1);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
  });

  it('answers with the population slot while the subject is learning, and the personal one once earned', () => {
    const popCounts = new Float64Array(SLOTS);
    popCounts[9] = 1000; // population: Monday 09:00
    const prior = populationSendTimePrior([popCounts], 24, 0);
    expect(prior.share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const few = new Float64Array(SLOTS);
    few[100] = 3;
    const learning = bestSendSlot(prior, few, opts);
    expect(learning).toMatchObject({ slot: 9, estimate: { source: 'population', status: 'learning', evidence: 0 } });
    const many = new Float64Array(SLOTS);
    many[100] = 40;
    const earned = bestSendSlot(prior, many, opts);
    expect(earned).toMatchObject({ slot: 100, estimate: { source: 'personal', status: 'established', evidence: 40 } });
    expect(earned.estimate.low).toBeLessThan(earned.estimate.value);
    expect(earned.estimate.high).toBeGreaterThan(earned.estimate.value);
  });

  it('breaks ties by the soonest slot from `fromSlot`: with no population data yet, now is as good as any hour (not Monday 00:00)', () => {
    const flat = populationSendTimePrior([], 24, 0); // the untrained default: every slot equal
    expect(bestSendSlot(flat, new Float64Array(SLOTS), { ...opts, fromSlot: 63 })).toMatchObject({ slot: 63, estimate: { source: 'population', status: 'learning' } });
    const tied = new Float64Array(SLOTS);
    tied[10] = 15;
    tied[70] = 15;
    // Monday 10:00 and Wednesday 22:00 equally likely; on Tuesday the Wednesday slot comes first.
    expect(bestSendSlot(flat, tied, { ...opts, fromSlot: 30 }).slot).toBe(70);
    expect(bestSendSlot(flat, tied, { ...opts, fromSlot: 5 }).slot).toBe(10);
  });

  it('fits the Dirichlet prior strength that generated the subjects (A = 30 within 25%)', () => {
    const rng = new Rng(6);
    const share = Float64Array.from({ length: SLOTS }, (_, s) => 1 + (s % 24 >= 8 && s % 24 <= 20 ? 4 : 0));
    const total = share.reduce((a, b) => a + b, 0);
    for (let s = 0; s < SLOTS; s++) share[s] /= total;
    const subjects = Array.from({ length: 400 }, () => {
      const p = dirichlet(rng, Array.from(share, (v) => 30 * v));
      const c = new Float64Array(SLOTS);
      for (let e = 0; e < 40; e++) c[categorical(rng, p)] += 1;
      return c;
    });
    const A = fitSendTimeStrength(share, subjects);
    expect(Math.abs(A - 30) / 30).toBeLessThan(0.25);
    expect(dirichletMultinomialLogLik(A, share, subjects)).toBeGreaterThan(dirichletMultinomialLogLik(3, share, subjects));
  });
});
