import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { DAY, estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';
import { EMAIL_OPEN_RATE, emailHistory } from './email-fixture.js';

// QA, 2026-12-06: a new subject's rate was the population's posterior of its MEAN (here Beta(361, 441)
// on 800 trials, 90% [0.4213, 0.4791], "established"), and so was the calibration point its first
// exposure recorded. Both are now the belief about the subject's own rate: a member of the
// population, Beta(30·m, 30·(1 − m)) with the default κ_personal = 30 (rate-model.ts) — α + β = 30.
describe('a subject with no trials of its own', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is shown, and records as its calibration point, the belief about its own rate, learning', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [EMAIL_OPEN_RATE] } }));
    await ingest(t, emailHistory(100));
    await ingest(t, [track('newcomer', 'Page Viewed', {}, Date.now() - 5 * DAY)]);
    const shown = (await estimatesOf(t, 'newcomer')).estimates.find((e) => e.model === 'rate')!;
    expect(shown).toMatchObject({ source: 'population', status: 'learning', evidence: 800 });
    // The population's 800 trials hold 360 opens (email-fixture.ts): m = 361/802. scipy 1.17,
    // scipy.stats.beta.ppf([0.05, 0.95], 30·361/802, 30·441/802) = [0.30481384, 0.59928186]; the population's mean itself, Beta(361, 441), was [0.4213, 0.4791].
    expect(shown.value).toBeCloseTo(361 / 802, 9);
    expect(shown.low).toBeCloseTo(0.30481384, 6);
    expect(shown.high).toBeCloseTo(0.59928186, 6);
    await ingest(t, [track('newcomer', 'Email Delivered', {}, Date.now() - 4 * DAY)]);
    const id = (await t.tact.store.profiles.findProfileId('userId', 'newcomer')) as string;
    const points = (await t.tact.store.estimates.points('rates', 'email_open', 10_000, { closedBy: Date.now() })).filter((p) => p.subjectId === id);
    expect(points).toHaveLength(1);
    expect(points[0].alpha + points[0].beta).toBeCloseTo(30, 9);
    expect(points[0].alpha / (points[0].alpha + points[0].beta)).toBeCloseTo(shown.value!, 9);
  });
});
