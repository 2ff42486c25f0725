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

  it('is established once personal and its share\'s interval is no wider than the share: a concentrated habit is, engagement spread thin is not', () => {
    // The untrained prior: a flat week, A = 24. Expected values: the Beta(A·p + c, A + n − A·p − c)
    // marginal of the Dirichlet posterior, 90% quantiles from scipy 1.17 (scipy.stats.beta.ppf).
    const flat = populationSendTimePrior([], 24, 0);
    // 24 opens, all on Monday 10:00: Beta(24.1429, 23.8571) = 0.5030 [0.3853, 0.6205], width 0.2353
    // (relative 0.468). An absolute width of 0.1, the rates' default, would call it learning.
    const habit = new Float64Array(SLOTS);
    habit[10] = 24;
    const h = bestSendSlot(flat, habit, opts);
    expect(h).toMatchObject({ slot: 10, estimate: { source: 'personal', status: 'established', evidence: 24 } });
    expect(h.estimate.low).toBeCloseTo(0.3852620680128964, 6);
    expect(h.estimate.high).toBeCloseTo(0.6205477551410229, 6);
    // 100 opens, one in each of 96 slots and 4 on Monday 10:00: Beta(4.1429, 119.857) = 0.0334
    // [0.0119, 0.0634], width 0.0516 — narrow in absolute terms, yet 1.54 times the share: the best
    // slot rests on 4 opens. Personal (n ≥ A), learning; until 2026-12-04 it was "established".
    const spread = new Float64Array(SLOTS);
    for (let k = 0; k < 96; k++) spread[20 + k] = 1;
    spread[10] = 4;
    const d = bestSendSlot(flat, spread, opts);
    expect(d).toMatchObject({ slot: 10, estimate: { source: 'personal', status: 'learning', evidence: 100 } });
    expect(d.estimate.low).toBeCloseTo(0.011868259350591227, 6);
    expect(d.estimate.high).toBeCloseTo(0.06343188197350606, 6);
    // The threshold is a setting: twice the share lets it through.
    expect(bestSendSlot(flat, spread, { ...opts, establishedWhen: { maxWidth: 1, maxRelativeWidth: 2 } }).estimate.status).toBe('established');
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
