import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { type TrialState, newTrialState, openTrial, resolveSuccess } from '../../learn/rates/rate-trials.js';
import { estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';
import { groupKeys, ladderFor, rateNow } from './rate-model.js';
import { ratesKind } from './rates-kind.js';

// A subject's own trials are in the group rows too (each exposure is credited to the population and
// the subject's groups at once). Counted there and again at the personal rung, they were used twice:
// the personal prior leaned on the subject's own data, and its interval was too narrow when the
// groups are small. Expected values: the conjugate Beta-Binomial update (BDA3 §2.4) with every rung
// above the personal one built from the others' counts; quantiles from scipy 1.17
// (scipy.stats.beta.ppf([0.05, 0.95], a, b)).
const [rate] = ratesKind.compile([{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '1d' }]);
const ladder = ladderFor(rate, undefined); // flat population prior Beta(1, 1); κ: segment 100, personal 30
const now = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;

/** A subject whose 20 exposures (closed) had 6 successes, credited to `groups`. */
function sixOfTwenty(groups: string[]): TrialState {
  const s = newTrialState();
  for (let k = 0; k < 20; k++) {
    openTrial(s, { at: now - 30 * DAY + k * DAY, seq: k + 1, groups });
    if (k < 6) resolveSuccess(s, now - 30 * DAY + k * DAY + 1, DAY);
  }
  expect(s).toMatchObject({ successes: 6, trials: 6, open: { length: 14 } });
  return s;
}

describe('a rate counts the subject\'s own trials once', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('the population row holds 12 of 40, 6 of 20 the subject\'s: the personal posterior is Beta(7 + 6, 15 + 14)', () => {
    const me = sixOfTwenty(['population']);
    const population = { state: { successes: 12, trials: 40 }, updatedAt: now - DAY };
    const r = rateNow(ladder, rate, { state: me, updatedAt: now - DAY }, () => population, groupKeys({ segment: null, microSegment: null }), now);
    // The others: 6 of 20 → population Beta(7, 15), α + β = 22 < 30 so κ_eff = 22 and the personal
    // prior is Beta(7, 15); with the subject's 6 of 20: Beta(13, 29). Counted twice it was
    // Beta(15.29, 34.71), 90% interval [0.2041, 0.4162]: 50 trials' worth where there are 40.
    expect(r.estimate).toMatchObject({ source: 'personal', evidence: 20, posterior: { alpha: 13, beta: 29 } });
    expect(r.estimate.value).toBeCloseTo(13 / 42, 12);
    expect(r.estimate.low).toBeCloseTo(0.1988289, 6);
    expect(r.estimate.high).toBeCloseTo(0.43065164, 6);
    expect(r.details[0]).toMatchObject({ rung: 'population', trials: 20, posterior: { alpha: 7, beta: 15 } });
  });

  it('also from its segment: the rows of the groups it was credited to, as much as it credited them', () => {
    const me = sixOfTwenty(['population', 'segment:vip']);
    expect(me.credited).toEqual({ 'segment:vip': { successes: 6, trials: 20 } });
    const rows: Record<string, { successes: number; trials: number }> = { population: { successes: 50, trials: 200 }, 'segment:vip': { successes: 10, trials: 30 } };
    const r = rateNow(ladder, rate, { state: me, updatedAt: now }, (k) => ({ state: rows[k], updatedAt: now }), groupKeys({ segment: 'vip', microSegment: null }), now);
    // Population others 44/180 → Beta(45, 137); segment others 4/10 with κ_eff = min(100, 182):
    // Beta(100·45/182 + 4, 100·137/182 + 6), its data weighing 10/110 < 0.2 — not earned, so the
    // personal rung is centred on the population (since 2026-12-05; ladder.ts): κ_eff = 30 around
    // 45/182, plus 6 of 20: Beta(13.4176, 36.5824). Centred on the unearned segment it read
    // Beta(13.8342, 36.1658), [0.17888286, 0.3847362].
    expect(r.estimate.source).toBe('personal');
    expect(r.estimate.posterior!.alpha).toBeCloseTo(13.417582417582418, 10);
    expect(r.estimate.posterior!.beta).toBeCloseTo(36.582417582417584, 10);
    expect(r.estimate.low).toBeCloseTo(0.17174452, 6);
    expect(r.estimate.high).toBeCloseTo(0.3755925, 6);
    expect(r.details.map((d) => d.trials)).toEqual([180, 10, 20]);
  });

  it('a lone subject (the population is only its own 6 opens of 20 e-mails) gets the flat prior\'s posterior Beta(7, 15), not Beta(13, 29)', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [rate.def] } }));
    const start = Date.now() - 40 * DAY;
    const messages: object[] = [];
    for (let k = 0; k < 20; k++) {
      messages.push(track('ana', 'Email Delivered', {}, start + k * DAY));
      if (k % 3 === 0 && k < 18) messages.push(track('ana', 'Email Opened', {}, start + k * DAY + 3_600_000));
    }
    await ingest(t, messages);
    const e = (await estimatesOf(t, 'ana')).estimates.find((x) => x.model === 'rate')!;
    // Personal κ_eff = min(30, 2): the others' flat Beta(1, 1) is all the prior there is.
    expect(e).toMatchObject({ source: 'personal', evidence: 20 });
    expect(e.value).toBeCloseTo(7 / 22, 12);
    expect(e.low).toBeCloseTo(0.16817582, 6);
    expect(e.high).toBeCloseTo(0.48738879, 6);
  });
});
