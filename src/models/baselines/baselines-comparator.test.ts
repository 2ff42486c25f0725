import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, harness, send, type Harness } from '../../../test/harness.js';
import { MIN_HELD_OUT, baselinesVerdict, compareScores, intervalScore } from './baselines-comparator.js';

const config = { metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration' }] };
const session = (h: Harness, userId: string, duration: number) => send(h.app, '/v1/track', { userId, event: 'Session Ended', properties: { duration } });

describe('promotion of a baselines version', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('goes live when its ranges score better on readings received since the live version, and is refused without enough of them', async () => {
    const t = (h = await harness('sqlite', { config }));
    // Until now: sessions of 280–320 s.
    for (let u = 0; u < 40; u++) for (let k = 0; k < 5; k++) await session(t, `u-${u}`, 280 + ((u * 7 + k * 13) % 41));
    await t.tact.consumers.runAll();
    const [v1] = await t.tact.learning.train(['baselines']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });

    // Since then sessions last twice as long: the live range misses every one of them.
    for (let u = 0; u < 40; u++) for (let k = 0; k < 3; k++) await session(t, `u-${u}`, 580 + ((u * 11 + k * 5) % 41));
    await t.tact.consumers.runAll();
    const [v2] = await t.tact.learning.train(['baselines']);
    await afterTraining();
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(true);
    const [m] = (v2.promotion?.comparison?.figures as { metrics: { metric: string; heldOut: number; candidateScore: number; liveScore: number; ci: [number, number] }[] }).metrics;
    expect(m).toMatchObject({ metric: 'session_length', heldOut: 40 });
    expect(m.candidateScore).toBeLessThan(m.liveScore);
    expect(m.ci[1]).toBeLessThan(0);
    expect(v2.promotion?.reason).toMatch(/^the comparison with version 1 lets it go live: session_length: mean interval score /);

    // Right away again: three new readings say nothing either way, so it is refused (and recorded).
    for (let u = 0; u < 3; u++) await session(t, `u-${u}`, 600);
    await t.tact.consumers.runAll();
    const [v3] = await t.tact.learning.train(['baselines']);
    await afterTraining();
    expect(v3.promotion).toMatchObject({ promoted: false });
    expect(v3.promotion?.reason).toContain(`no metric has ${MIN_HELD_OUT} subjects with a reading received after version 2 was trained (session_length: 3 held-out subjects)`);
  });

  it('scores a range by its width plus 2/α times any miss, and refuses a candidate whose ranges are significantly worse', () => {
    expect(intervalScore([10, 20], 15, 0.9)).toBeCloseTo(10, 12);
    expect(intervalScore([10, 20], 25, 0.9)).toBeCloseTo(10 + 20 * 5, 12);
    expect(intervalScore([10, 20], 8, 0.8)).toBeCloseTo(10 + 10 * 2, 12);

    const n = 40;
    // Every reading inside both ranges, the candidate's 20 wider: each difference is exactly 20. No
    // spread, so the mean has no interval (not the point [20, 20]); 40 of 40 subjects on the worse
    // side is an exact sign test, p = 2⁻³⁹ — refused.
    const worse = compareScores('spend', Array.from({ length: n }, (_, i) => 50 + (i % 4)), Array.from({ length: n }, (_, i) => 30 + (i % 4)));
    expect(worse).toMatchObject({ heldOut: 40, candidateScore: 51.5, liveScore: 31.5, difference: 20, ci: null, sameForEvery: true, worse: true });
    const v = baselinesVerdict([worse], [], { candidate: 3, live: 2 });
    expect(v.better).toBe(false);
    expect(v.summary).toBe('spend: mean interval score 51.5 for version 3 against 31.5 for version 2 on 40 held-out readings (difference 20 for every one of the 40 subjects: no spread, so the mean has no interval; exact sign test p = 1.8e-12): the candidate\'s ranges are worse for spend');
    // The candidate 20 narrower, every reading inside both: better on every subject.
    expect(compareScores('spend', new Array<number>(n).fill(30), new Array<number>(n).fill(50)).worse).toBe(false);
    // 30 subjects, differences +0.74 (15) and −0.34 (15): scipy.stats.ttest_1samp → 95% CI
    // (−0.00508639, 0.40508639), so not significantly worse (1.96 s.e. gave [0.0035, 0.3965]: worse).
    const close = compareScores('spend', Array.from({ length: 30 }, (_, i) => (i < 15 ? 10.74 : 9.66)), new Array<number>(30).fill(10));
    expect(close).toMatchObject({ difference: 0.2, ci: [-0.005, 0.405], worse: false });
    // Noise around a small difference is not "worse".
    const noisy = compareScores('spend', Array.from({ length: n }, (_, i) => 30 + (i % 2 ? 10 : -9)), new Array<number>(n).fill(30));
    expect(noisy.worse).toBe(false);
    expect(baselinesVerdict([noisy], [], { candidate: 3, live: 2 }).better).toBe(true);
  });

  it('reads an exact tie as a tie: no difference, not a reason to promote', () => {
    const n = 40;
    // Both versions' ranges score every held-out reading the same: every difference is 0.
    const same = compareScores('spend', Array.from({ length: n }, (_, i) => 30 + (i % 4)), Array.from({ length: n }, (_, i) => 30 + (i % 4)));
    expect(same).toMatchObject({ difference: 0, worse: false, tie: true });
    const v = baselinesVerdict([same], [], { candidate: 3, live: 2 });
    expect(v.better).toBe(false);
    expect(v.inconclusive).toBeUndefined();
    expect(v.summary).toMatch(/: no difference between version 3 and version 2$/);
    expect(v.summary).not.toContain('not worse');
    // Equal means with spread (+2 for half the subjects, −2 for the other half): a tie too.
    const even = compareScores('spend', Array.from({ length: n }, (_, i) => (i % 2 ? 32 : 28)), new Array<number>(n).fill(30));
    expect(even).toMatchObject({ difference: 0, tie: true });
    expect(baselinesVerdict([even], [], { candidate: 3, live: 2 }).better).toBe(false);
  });
});
