import { describe, expect, it } from 'vitest';
import { MIN_CONCENTRATION } from '../../learn/rates/concentration.js';
import type { RateCounts } from '../../learn/rates/beta-binomial.js';
import { type TrialState, newTrialState, openTrial } from '../../learn/rates/rate-trials.js';
import { groupKeys, ladderFor, rateNow } from './rate-model.js';
import { ratesKind } from './rates-kind.js';

const [rate] = ratesKind.compile([{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }]);
const ladder = ladderFor(rate, undefined);
const now = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const at = (t: number) => new Date(t).toISOString();

/** A subject with `n` closed trials, `s` of them successes, its row last written at `updatedAt`. */
const subject = (s: number, n: number, updatedAt = now - DAY) => ({ state: { ...newTrialState(), successes: s, trials: n } as TrialState, updatedAt });
/** A group row holding `c` (and the subject's own share, added: every exposure is credited to the population at once). */
const row = (c: RateCounts, own?: TrialState, updatedAt = now - 2 * DAY) => ({ state: { successes: c.successes + (own?.successes ?? 0), trials: c.trials + (own ? own.trials + own.open.length : 0) }, updatedAt });
/** The others of the population: 40 opens of 1,000 deliveries. */
const others = { successes: 40, trials: 1000 };
const alone = groupKeys({ segment: null, microSegment: null });

describe('a rate on the ladder (conjugate Beta-Binomial, BDA3 §2.4)', () => {
  // Until 2026-12-06 the answer was the population's posterior mean 41/1002 itself: the subject's
  // two opens, taken out of the population row, entered nowhere.
  it('two personal trials against κ = 30 weigh 2/32 < 0.2: shown from the population, the subject\'s rate (30·m + 2)/32 with m = 41/1002', () => {
    const me = subject(2, 2);
    const r = rateNow(ladder, rate, me, () => row(others, me.state), alone, now);
    expect(r.estimate.source).toBe('population');
    expect(r.estimate.value).toBeCloseTo((30 * (41 / 1002) + 2) / 32, 12);
    expect(r.estimate.evidence).toBe(1002);
    expect(r.estimate.status).toBe('learning');
    expect(r.details.at(-1)).toMatchObject({ rung: 'personal', dataWeight: 2 / 32, earned: false });
  });

  it('ten trials earn the personal rung: (30·m + s)/(30 + n) with m = 41/1002', () => {
    const me = subject(5, 10);
    const r = rateNow(ladder, rate, me, () => row(others, me.state), alone, now);
    expect(r.estimate.source).toBe('personal');
    expect(r.estimate.value).toBeCloseTo((30 * (41 / 1002) + 5) / 40, 12);
    expect(r.estimate.evidence).toBe(10);
  });

  it('an exposure still inside its window does not count as a failure; an expired one does', () => {
    const me = subject(5, 10);
    openTrial(me.state, { at: now - DAY, seq: 1, groups: ['population'] });
    const pop = row(others, me.state);
    const fresh = rateNow(ladder, rate, me, () => pop, alone, now);
    expect(fresh.estimate.value).toBeCloseTo((30 * (41 / 1002) + 5) / 40, 12);
    const later = rateNow(ladder, rate, me, () => pop, alone, now + 3 * DAY);
    expect(later.estimate.value).toBeCloseTo((30 * (41 / 1002) + 5) / 41, 12);
  });

  it('credits the subject\'s segment and micro-segment rows when it has them', () => {
    expect(groupKeys({ segment: 'vip', microSegment: { index: 3, modelVersion: 'micro-segments@2', key: 'micro-segment:2:3' } })).toEqual({ population: 'population', segment: 'segment:vip', micro: 'micro-segment:2:3' });
    const seg = row({ successes: 30, trials: 100 });
    const r = rateNow(ladder, rate, undefined, (k) => (k === 'segment:vip' ? seg : row(others)), groupKeys({ segment: 'vip', microSegment: null }), now);
    // κ_segment = 100: 100/(100 + 100) = 0.5 ≥ 0.2, so the segment rung is earned.
    expect(r.estimate.source).toBe('segment');
    expect(r.estimate.value).toBeCloseTo((100 * (41 / 1002) + 30) / 200, 12);
  });

  it('is dated when its evidence last changed: the rows it rests on, an open trial\'s window passing, the live model\'s data', () => {
    const me = subject(5, 10, now - 5 * DAY);
    openTrial(me.state, { at: now - 4 * DAY, seq: 11, groups: ['population'] }); // its 3-day window passed at now − DAY
    const pop = { ...row(others, me.state), updatedAt: now - 2 * DAY };
    const personal = rateNow(ladder, rate, me, () => pop, alone, now);
    expect(personal.estimate.source).toBe('personal');
    expect(personal.estimate.updatedAt).toBe(at(now - DAY)); // the expiry: the trial became a failure then
    expect(rateNow(ladder, rate, me, () => pop, alone, now, now - DAY / 2).estimate.updatedAt).toBe(at(now - DAY / 2)); // a model trained since
    // Shown from the population: its row and the subject's own (taken out of it), and since
    // 2026-12-06 the expiry too — the subject's trials are in its estimate at every rung.
    const few = subject(0, 1, now - 3 * DAY);
    openTrial(few.state, { at: now - 4 * DAY, seq: 2, groups: ['population'] });
    expect(rateNow(ladder, rate, few, () => ({ ...row(others, few.state), updatedAt: now - 2 * DAY }), alone, now).estimate).toMatchObject({ source: 'population', updatedAt: at(now - DAY) });
    expect(rateNow(ladder, rate, few, () => ({ ...row(others, few.state), updatedAt: now - 2 * DAY }), alone, now - 2 * DAY).estimate).toMatchObject({ source: 'population', updatedAt: at(now - 2 * DAY) });
    // Nothing observed, no trained model: nothing to date it by.
    expect(rateNow(ladder, rate, undefined, () => undefined, alone, now).estimate).toMatchObject({ evidence: 0, updatedAt: null });
  });

  it('never shows a value outside its own interval, even when the fitted prior strength is tiny', () => {
    // A model trained before the κ floor (MIN_CONCENTRATION) could store κ = 0.01 for the personal rung.
    const personal = 0.01;
    const trained = { ...ladder, concentration: { ...ladder.concentration, personal } };
    for (const [s, n] of [[1, 1], [0, 1], [3, 3], [0, 3]]) {
      const me = subject(s, n);
      const e = rateNow(trained, rate, me, () => row({ successes: 10, trials: 100 }, me.state), alone, now).estimate;
      expect(e.low).toBeLessThanOrEqual(e.value);
      expect(e.value).toBeLessThanOrEqual(e.high);
      expect(e.low).toBeGreaterThanOrEqual(0);
      expect(e.high).toBeLessThanOrEqual(1);
      expect(e.status).toBe('learning');
    }
  });

  it('raises a stored κ below the floor to MIN_CONCENTRATION = 2', () => {
    const live = { version: 3, state: { rates: { email_open: { populationPrior: { alpha: 1, beta: 1 }, concentration: { segment: 0.01, 'micro-segment': 50, personal: 0.01 } } } } };
    const l = ladderFor(rate, live as unknown as Parameters<typeof ladderFor>[1]);
    expect(l.concentration).toEqual({ segment: MIN_CONCENTRATION, 'micro-segment': 50, personal: MIN_CONCENTRATION });
  });
});
