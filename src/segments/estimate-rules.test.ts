import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { EMAIL_OPEN_RATE, emailExposure, emailHistory } from '../models/rates/email-fixture.js';
import { estimatesOf, ingest, track } from '../store/conformance/learn-helpers.js';

const config = {
  rates: [EMAIL_OPEN_RATE],
  segments: {
    audiences: [
      { name: 'naive', when: 'estimates.rates.email_open.value > 0.3' },
      { name: 'engaged', when: 'estimates.rates.email_open.status == "established" && estimates.rates.email_open.value > 0.3' },
    ],
  },
};

// Documents a behaviour (docs/models.md, "Rules on estimates while they are learning"): a rule reads
// an estimate whatever its status, so a subject with no evidence of its own takes its rung's value;
// its interval and `status` are of its own rate (since 2026-12-06; until then the rung's), and
// `source` says which rung it is centred on.
describe('a segment rule on an estimate that is learning', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reads the value of the rung the subject stands on: while the group is thin (48 trials), a rule that asks for `status == "established"` leaves a newcomer out', async () => {
    const t = (h = await harness('sqlite', { config }));
    // Six subjects who open 80% of their e-mails (email-fixture.ts): the population opens most.
    for (const u of [0, 2, 4, 6, 8, 10]) for (let k = 0; k < 8; k++) await emailExposure(t, u, k);
    await ingest(t, [track('newcomer', 'Page Viewed', {}, Date.now() - 1000)]);
    const rate = (await estimatesOf(t, 'newcomer')).estimates.find((e) => e.model === 'rate')!;
    // Its rung is a group's (the population's, or the segment it is in), not its own.
    expect(rate.status).toBe('learning');
    expect(rate.source).not.toBe('personal');
    expect(rate.value).toBeGreaterThan(0.3);
    const id = (await t.store.profiles.findProfileId('userId', 'newcomer')) as string;
    const segments = async () => (await t.store.segments.membershipsOf(id)).map((m) => m.segment);
    expect(await segments()).toEqual(['naive']);
    // The decision's view agrees with the stored membership.
    const state = (await t.store.profiles.getProfile(id))!;
    expect((await t.tact.learning.ladderPosition(state)).segments).toEqual(['naive']);
  });

  // Until 2026-12-06 the newcomer was "established" here: it was shown the group's posterior of its
  // mean rate (800 trials), and the status rule admitted it on the group's evidence. Its estimate is
  // now of its own rate — a member's of the group, as spread as the subjects' rates (κ = 30): learning.
  it('once a group holds enough trials, a newcomer\'s rate is still "learning" at the group\'s rung: its interval is its own rate\'s', async () => {
    const t = (h = await harness('sqlite', {
      config: {
        rates: [EMAIL_OPEN_RATE],
        segments: {
          // Everyone's ladder segment (the first segment a subject is in is its rung): the rules below
          // then never become a subject's rung themselves.
          audiences: [
            { name: 'everyone', when: 'true' },
            { name: 'own', when: 'estimates.rates.email_open.source == "personal" && estimates.rates.email_open.low > 0.3' },
            { name: 'narrow', when: 'estimates.rates.email_open.status == "established" && estimates.rates.email_open.value > 0.3' },
          ],
        },
      },
    }));
    // 100 subjects × 8 e-mails (email-fixture.ts: even subjects open 80%, odd ones 10%): 800
    // population trials, enough for an interval narrower than the default width 0.1.
    await ingest(t, emailHistory(100));
    await ingest(t, [track('newcomer', 'Page Viewed', {}, Date.now() - 1000)]);
    const rate = (await estimatesOf(t, 'newcomer')).estimates.find((e) => e.model === 'rate')!;
    expect(rate).toMatchObject({ source: 'segment', status: 'learning' });
    expect(rate.evidence).toBeGreaterThanOrEqual(800);
    expect(rate.high! - rate.low!).toBeGreaterThan(0.2);
    const ofUser = async (u: string) => (await t.store.segments.membershipsOf((await t.store.profiles.findProfileId('userId', u)) as string)).map((m) => m.segment);
    // The newcomer is not in the status rule's segment (until 2026-12-06 it was, on the group's rate) …
    expect(await ofUser('newcomer')).toEqual(['everyone']);
    // … and only subjects who open, on their own evidence, are in the segment that asks for it.
    expect(await ofUser('u-0')).toContain('own');
    expect(await ofUser('u-1')).not.toContain('own');
  });
});
