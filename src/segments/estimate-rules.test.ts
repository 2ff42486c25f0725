import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { EMAIL_OPEN_RATE, emailExposure } from '../models/rates/email-fixture.js';
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
// an estimate whatever its status, so a subject with no evidence of its own takes its rung's value.
describe('a segment rule on an estimate that is learning', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reads the value of the rung the subject stands on: only a rule that asks for `status == "established"` leaves a newcomer out', async () => {
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
});
