import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, harness, send, type Harness } from '../../../test/harness.js';
import { SLOTS } from '../../learn/send-time/send-time.js';
import { MIN_HELD_OUT, compareLogLik, logPredictive } from './send-time-comparator.js';

const config = { sendTime: { engagement: [{ event: 'Email Opened' }] } };
const WEEK = 7 * 86_400_000;
/** Monday 2026-11-02 00:00 UTC, a slot-0 instant; `slot` hours later is that slot (UTC subjects). */
const MONDAY = Date.parse('2026-11-02T00:00:00Z');
const open = (h: Harness, userId: string, slot: number, weeksAgo: number) =>
  send(h.app, '/v1/track', { userId, event: 'Email Opened', timestamp: new Date(MONDAY - weeksAgo * WEEK + slot * 3_600_000).toISOString() });

describe('promotion of a send-time version', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('goes live when it forecasts the engagement slots received since the live version better, and is refused without enough of them', async () => {
    const t = (h = await harness('sqlite', { config }));
    // Until now: everyone opens on Monday mornings (09:00).
    for (let u = 0; u < 40; u++) for (let w = 1; w <= 3; w++) await open(t, `u-${u}`, 9, w + 4);
    await t.tact.consumers.runAll();
    const [v1] = await t.tact.learning.train(['send-time']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });

    // Since then the same people open on Friday evenings (slot 4 × 24 + 18 = 114), two or three
    // times each (were it the same for all, every subject's difference would be the same: no interval).
    for (let u = 0; u < 40; u++) for (let w = 1; w <= 2 + (u % 2); w++) await open(t, `u-${u}`, 114, w);
    await t.tact.consumers.runAll();
    const [v2] = await t.tact.learning.train(['send-time']);
    await afterTraining();
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(true);
    const f = v2.promotion?.comparison?.figures as { heldOut: number; candidateLogLik: number; liveLogLik: number; ci: [number, number] };
    expect(f.heldOut).toBe(40);
    expect(f.candidateLogLik).toBeGreaterThan(f.liveLogLik);
    expect(f.ci[0]).toBeGreaterThan(0);
    expect(v2.promotion?.reason).toMatch(/^the comparison with version 1 lets it go live: on 40 held-out engagements the mean log predictive probability of the slot is /);

    // Right away again: a few new engagements say nothing either way, so it is refused (and recorded).
    for (let u = 0; u < 3; u++) await open(t, `u-${u}`, 114, 0);
    await t.tact.consumers.runAll();
    const [v3] = await t.tact.learning.train(['send-time']);
    await afterTraining();
    expect(v3.promotion).toMatchObject({ promoted: false });
    expect(v3.promotion?.reason).toContain(`only 3 subjects engaged after version 2 was trained (at least ${MIN_HELD_OUT} are needed`);
  });

  it('scores a slot by the posterior predictive of the Dirichlet, and refuses a candidate that forecasts significantly worse', () => {
    const flat = { share: new Array<number>(SLOTS).fill(1 / SLOTS), strength: 24 };
    const counts = new Array<number>(SLOTS).fill(0);
    counts[10] = 6;
    // (24/168 + 6) / (24 + 6)
    expect(logPredictive(flat, counts, 10)).toBeCloseTo(Math.log((24 / SLOTS + 6) / 30), 12);
    expect(logPredictive(flat, counts, 11)).toBeCloseTo(Math.log(24 / SLOTS / 30), 12);

    const n = 50;
    const worse = compareLogLik(Array.from({ length: n }, (_, i) => -5 - (i % 5) * 0.1), Array.from({ length: n }, (_, i) => -3 - (i % 5) * 0.1), { candidate: 4, live: 3 });
    // Worse by the same 2 nats for every subject: no spread, so the mean has no interval (not the
    // point [−2, −2]); every one of 50 subjects on the worse side is an exact sign test, p = 2⁻⁴⁹.
    expect(worse).toMatchObject({ better: false, figures: { ci: null, sameForEvery: true } });
    expect(worse.inconclusive).toBeUndefined();
    expect(worse.summary).toBe('on 50 held-out engagements the mean log predictive probability of the slot is -5.2 for version 4 against -3.2 for version 3 (difference -2 for every one of the 50 subjects: no spread, so the mean has no interval; exact sign test p = 1.8e-15): the candidate is worse');
    // Differences of ±1 around −0.1: within noise, so not worse.
    const noisy = compareLogLik(Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) - 0.1), new Array<number>(n).fill(0), { candidate: 4, live: 3 });
    expect(noisy.better).toBe(true);
    expect(compareLogLik([-1], [-2], { candidate: 2, live: 1 })).toMatchObject({ better: false, inconclusive: true });
  });

  it("judges 30 held-out subjects by Student's t, not 1.96 standard errors", () => {
    // Differences −0.74 (15 subjects) and +0.34 (15): mean −0.2, s.e. 0.1002755. scipy.stats.ttest_1samp
    // → 95% CI (−0.40508639, 0.00508639), p = 0.0556: not significantly worse. The normal approximation
    // gave [−0.3965, −0.0035] and refused the candidate.
    const diff = Array.from({ length: 30 }, (_, i) => (i < 15 ? -0.74 : 0.34));
    const c = compareLogLik(diff.map((d) => -3 + d), new Array<number>(30).fill(-3), { candidate: 2, live: 1 });
    expect(c.better).toBe(true);
    expect(c.figures).toMatchObject({ difference: -0.2, ci: [-0.405, 0.005] });
  });

  it('reads an exact tie as a tie: no difference, not a reason to promote', () => {
    const n = 50;
    // The same score for every subject (the candidate predicts as the live version does).
    const same = compareLogLik(new Array<number>(n).fill(-3), new Array<number>(n).fill(-3), { candidate: 4, live: 3 });
    expect(same.better).toBe(false);
    expect(same.inconclusive).toBeUndefined();
    expect(same.figures).toMatchObject({ difference: 0, tie: true });
    expect(same.summary).toMatch(/: no difference between version 4 and version 3$/);
    expect(same.summary).not.toContain('not worse');
    // Equal means with spread (±0.5): a tie too.
    const even = compareLogLik(Array.from({ length: n }, (_, i) => (i % 2 ? -2.5 : -3.5)), new Array<number>(n).fill(-3), { candidate: 4, live: 3 });
    expect(even).toMatchObject({ better: false, figures: { difference: 0, tie: true } });
  });
});
