import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { type TrialState, newTrialState, openTrial, resolveSuccess } from '../../learn/rates/rate-trials.js';
import { MIN_CONCENTRATION } from '../../learn/rates/concentration.js';
import { DAY, estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';
import { groupKeys, ladderFor, rateNow } from './rate-model.js';
import { ratesKind } from './rates-kind.js';

// QA, 2026-12-05: a subject sent 20 e-mails that opened 6 of them at once read `email_open` 75.3%
// (90% 52.4–92.8%, n = 6, personal) and entered a segment `source == "personal" && low > 0.3`: the
// 6 successes counted at once, the 14 silent e-mails (still inside their 3-day window) not at all.
// A trial now counts for the personal rung only once its window has passed (rate-trials.ts).
const def = { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' };
const [rate] = ratesKind.compile([def]);
const now = Date.parse('2026-03-01T00:00:00Z');
const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const alone = groupKeys({ segment: null, microSegment: null });

/** 20 deliveries two hours before `now`, 6 opened an hour later, credited to the population. */
function twentySentSixOpened(): TrialState {
  const s = newTrialState();
  for (let k = 0; k < 20; k++) openTrial(s, { at: now - 2 * H, seq: k + 1, groups: ['population'] });
  for (let k = 0; k < 6; k++) resolveSuccess(s, now - H, rate.windowMs);
  return s;
}

describe('a subject\'s rate while its exposures are inside their window', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('20 sent, 6 opened at once: no personal evidence until the window passes, then 6 of 20 — never 6 of 6', () => {
    // A trained personal κ at its floor (2) weighs 6 trials at 6/8: the QA reading was personal.
    const ladder = { ...ladderFor(rate, undefined), concentration: { segment: 100, 'micro-segment': 100, personal: MIN_CONCENTRATION } };
    const me = { state: twentySentSixOpened(), updatedAt: now - H };
    // The population row: 40 opens of 1,000 others' e-mails, and the subject's 6 of 20.
    const population = { state: { successes: 46, trials: 1020 }, updatedAt: now - H };
    const inside = rateNow(ladder, rate, me, () => population, alone, now);
    expect(inside.counts.personal).toEqual({ successes: 0, trials: 0 });
    expect(inside.counts.population).toEqual({ successes: 40, trials: 1000 });
    expect(inside.estimate).toMatchObject({ source: 'population', evidence: 1000 });
    expect(inside.estimate.value).toBeCloseTo(41 / 1002, 12);
    // When the window has passed: 6 of 20 against κ_eff = 2 around 41/1002.
    const after = rateNow(ladder, rate, me, () => population, alone, now - 2 * H + rate.windowMs);
    expect(after.counts.personal).toEqual({ successes: 6, trials: 20 });
    expect(after.estimate).toMatchObject({ source: 'personal', evidence: 20 });
    expect(after.estimate.value).toBeCloseTo((2 * (41 / 1002) + 6) / 22, 12);
    expect(after.estimate.low!).toBeLessThan(0.3);
    // Dated by the window's end: the moment the 6 successes and 14 failures began to count.
    expect(after.estimate.updatedAt).toBe(iso(now - 2 * H + rate.windowMs));
  });

  it('is dated by a pending success\'s window passing, as by an open trial\'s', () => {
    const me = { state: { ...newTrialState(), successes: 5, trials: 10 } as TrialState, updatedAt: now - 4 * DAY + H };
    openTrial(me.state, { at: now - 4 * DAY, seq: 11, groups: ['population'] });
    resolveSuccess(me.state, now - 4 * DAY + H, rate.windowMs); // its 3-day window passed at now − DAY
    const pop = { state: { successes: 46, trials: 1011 }, updatedAt: now - 2 * DAY };
    const r = rateNow(ladderFor(rate, undefined), rate, me, () => pop, alone, now);
    expect(r.counts.personal).toEqual({ successes: 6, trials: 11 });
    expect(r.estimate).toMatchObject({ source: 'personal', updatedAt: iso(now - DAY) });
  });

  it('through the consumer: a lone subject\'s 6 opens of 20 fresh e-mails do not put it in a segment on its own evidence', async () => {
    const t = (h = await harness('sqlite', {
      config: { rates: [def], segments: { audiences: [{ name: 'own', when: 'estimates.rates.email_open.source == "personal" && estimates.rates.email_open.low > 0.3' }] } },
    }));
    const sent = Date.now() - 2 * H;
    const messages: object[] = [];
    for (let k = 0; k < 20; k++) messages.push(track('ana', 'Email Delivered', {}, sent + k * 1000));
    for (let k = 0; k < 6; k++) messages.push(track('ana', 'Email Opened', {}, sent + H + k * 1000));
    await ingest(t, messages);
    const answer = await estimatesOf(t, 'ana');
    const e = answer.estimates.find((x) => x.model === 'rate')!;
    // Counted at once this read 6 of 6 against a flat prior (κ_eff = 2): Beta(7, 1), 90% [0.652, 0.993].
    expect(e).toMatchObject({ source: 'population', evidence: 0, value: 0.5 });
    expect(answer.segments).not.toContain('own');
    expect((await t.store.segments.membershipsOf(answer.id)).map((m) => m.segment)).not.toContain('own');
  });
});
