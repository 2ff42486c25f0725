import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import type { TrialState } from '../../learn/rates/rate-trials.js';
import { DAY, estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';
import { groupKeys, ladderFor, rateNow } from './rate-model.js';
import { ratesKind } from './rates-kind.js';

// A trial state stored before 2026-12-04 has no `credited`: the groups its closed trials were
// credited to were not recorded. Read with the code of that day, those trials stayed in the segment
// row's counts and entered the personal rung as well — counted twice. Expected values: the same
// subject and rows as own-trials-once.test.ts (6 opens of 20 deliveries, all made in segment vip;
// population 50 of 200, segment 10 of 30), whose posterior is the conjugate Beta-Binomial update
// (BDA3 §2.4) with every rung above the personal one built from the others' counts, and quantiles
// from scipy 1.17 (scipy.stats.beta.ppf([0.05, 0.95], a, b)). The segment's 10 others' trials do not
// earn its rung (10/110 < 0.2), so the personal rung is centred on the population (since 2026-12-05).
const [rate] = ratesKind.compile([{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '1d' }]);
const ladder = ladderFor(rate, undefined); // flat population prior Beta(1, 1); κ: segment 100, personal 30
const now = Date.parse('2026-03-01T00:00:00Z');
const ALPHA = 13.417582417582418;
const BETA = 36.582417582417584;

/** The subject's row as written before 2026-12-04: 6 of 19 closed, one trial open (its window passed). */
const legacyJson = (openAt: number) => JSON.stringify({ successes: 6, trials: 19, open: [{ at: openAt, seq: 1, groups: ['population', 'segment:vip'] }] });

describe('a rate trial state stored before credited counts were kept', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('counts its closed trials once: the segment rung holds the others\' 4 of 10, not 10 of 30', () => {
    const me = JSON.parse(legacyJson(now - 10 * DAY)) as TrialState;
    const rows: Record<string, { successes: number; trials: number }> = { population: { successes: 50, trials: 200 }, 'segment:vip': { successes: 10, trials: 30 } };
    const r = rateNow(ladder, rate, { state: me, updatedAt: now - DAY }, (k) => ({ state: rows[k], updatedAt: now - DAY }), groupKeys({ segment: 'vip', microSegment: null }), now);
    expect(r.details.map((d) => d.trials)).toEqual([180, 10, 20]);
    expect(r.estimate.source).toBe('personal');
    expect(r.estimate.posterior!.alpha).toBeCloseTo(ALPHA, 10);
    expect(r.estimate.posterior!.beta).toBeCloseTo(BETA, 10);
    expect(r.estimate.low).toBeCloseTo(0.17174452, 6);
    expect(r.estimate.high).toBeCloseTo(0.3755925, 6);
  });

  it.each(['sqlite', 'postgres'] as const)('read from the store and changed by a new delivery, still counts every trial once (%s)', async (kind) => {
    const config = {
      features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }],
      segments: { audiences: [{ name: 'vip', when: 'features.orders >= 1.0' }] },
      rates: [rate.def],
    };
    const t = (h = await harness(kind, { config }));
    const start = Date.now();
    await ingest(t, [track('ana', 'Order Completed', {}, start - 30 * DAY)]);
    const ana = (await estimatesOf(t, 'ana')).id;
    const row = (subjectId: string, state: unknown) => ({ subjectId, model: 'rate', key: 'email_open', estimate: null, state, modelVersion: 'rates@default', seq: 0, updatedAt: start - 5 * DAY });
    // The rows as an older version left them: the subject's 20 deliveries are in both group rows.
    await t.tact.store.estimates.write({
      estimates: [
        row(ana, JSON.parse(legacyJson(start - 10 * DAY))),
        row('population', { successes: 50, trials: 200 }),
        row('segment:vip', { successes: 10, trials: 30 }),
      ],
    });
    // A new delivery: the old open trial expires first, then the new one opens (left out, in its window).
    await ingest(t, [track('ana', 'Email Delivered', {}, start - 3_600_000)]);
    const e = (await estimatesOf(t, 'ana')).estimates.find((x) => x.model === 'rate')!;
    expect((e.detail!.rungs as { trials: number }[]).map((r) => r.trials)).toEqual([180, 10, 20]);
    expect(e).toMatchObject({ source: 'personal', evidence: 20 });
    expect(e.value).toBeCloseTo(ALPHA / (ALPHA + BETA), 10);
    expect(e.low).toBeCloseTo(0.17174452, 6);
    expect(e.high).toBeCloseTo(0.3755925, 6);
  });
});
