import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import type { RateCounts } from '../../learn/rates/beta-binomial.js';
import { type TrialState, countsAt } from '../../learn/rates/rate-trials.js';
import { DAY, estimatesOf, ingest } from '../../store/conformance/learn-helpers.js';
import { combinedRows } from '../estimates/merged-rows.js';
import { EMAIL_OPEN_RATE } from './email-fixture.js';

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

describe('a rate trial opened before two profiles merged', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.each(['sqlite', 'postgres'] as const)('is closed by a success of the surviving profile: one delivery, one open → 1 success of 1 trial (%s)', async (kind) => {
    const t = (h = await harness(kind, { config: { rates: [EMAIL_OPEN_RATE] } }));
    const sent = Date.now() - 3 * DAY;
    // Delivered while the subject was an anonymous visitor; then the identify that joins the two
    // profiles; then the open, under the known customer, within the 1-day window.
    await ingest(t, [{ type: 'track', userId: 'kim', event: 'Signed In', properties: {}, timestamp: iso(sent - HOUR) }]);
    await ingest(t, [{ type: 'track', anonymousId: 'anon-9', event: 'Email Delivered', properties: {}, timestamp: iso(sent) }]);
    const visitor = (await estimatesOf(t, 'anon-9')).id;
    await ingest(t, [{ type: 'identify', userId: 'kim', anonymousId: 'anon-9', timestamp: iso(sent + 2 * HOUR) }]);
    await ingest(t, [{ type: 'track', userId: 'kim', event: 'Email Opened', properties: {}, timestamp: iso(sent + 3 * HOUR) }]);
    const kim = (await estimatesOf(t, 'kim')).id;
    // The visitor's profile, where the trial was opened, is the one merged away.
    expect(kim).not.toBe(visitor);
    expect(await t.tact.store.profiles.merges(kim)).toEqual([expect.objectContaining({ from: visitor, into: kim })]);
    const row = (await combinedRows(t.tact.store, kim, [{ model: 'rate', key: 'email_open' }])).get('rate:email_open')!;
    // Every window has closed by now: the trial is a success, not an expired failure.
    expect(countsAt(row.state as TrialState, Date.now(), DAY)).toEqual({ successes: 1, trials: 1 });
    expect((row.state as TrialState).open).toEqual([]);
    const [population] = await t.tact.store.estimates.getMany([{ subjectId: 'population', model: 'rate', key: 'email_open' }]);
    expect(population.state as RateCounts).toMatchObject({ successes: 1, trials: 1 });
    // The calibration point of the exposure is answered with the success.
    const points = await t.tact.store.estimates.heldOutPoints('rates', 'email_open', 0, 100);
    expect(points.map((p) => p.outcome)).toEqual([1]);
  });
});
