import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, harness, type Harness } from '../../../test/harness.js';
import type { ModelVersion } from '../registry/model-store.js';
import type { CalibrationPoint } from '../estimates/estimate-store.js';
import { MIN_HELD_OUT, compareOnPoints, pointLogLik, ratesComparator, ratesVerdict, resolvedOutcome } from './rates-comparator.js';
import { type RatesModelState, ladderFor } from './rate-model.js';
import { ratesKind } from './rates-kind.js';
import { EMAIL_OPEN_RATE, emailExposure } from './email-fixture.js';

const config = { rates: [EMAIL_OPEN_RATE] };

describe('promotion of a rates version', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('replays the held-out exposures under both versions: refuses an exact tie, refuses one that predicts worse, promotes one that predicts better, and says when there are too few', async () => {
    const t = (h = await harness('sqlite', { config }));
    for (let u = 0; u < 40; u++) for (let k = 0; k < 8; k++) await emailExposure(t, u, k);
    await t.tact.consumers.runAll();
    const [v1] = await t.tact.learning.train(['rates']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    // The held-out figures a training records carry their intervals, and ECE what a calibrated model would read.
    const held = ((await t.tact.store.models.getVersion('rates', 1))?.metrics.email_open as { heldOut: Record<string, unknown> }).heldOut;
    expect(held).toMatchObject({ n: 320, eceInterval: { low: expect.any(Number), high: expect.any(Number) }, eceCalibratedReference: { mean: expect.any(Number) }, coverage90Interval: { level: 0.95 } });
    // The coverage's evidence is its subjects (40 of them, 8 predictions each), not the 320 predictions.
    expect(held).toMatchObject({ coverage90Subjects: 40, eceDebiasedInterval: { low: expect.any(Number), high: expect.any(Number) } });

    // Since version 1: four more e-mails each, from the same people.
    for (let u = 0; u < 40; u++) for (let k = 8; k < 12; k++) await emailExposure(t, u, k);
    await t.tact.consumers.runAll();
    const points = await t.tact.store.estimates.heldOutPoints('rates', 'email_open', 0, 10_000);
    expect(points).toHaveLength(40 * 12);
    expect(points[0].inputs?.personal).toEqual({ successes: 0, trials: 0 });
    // Forced: version 2 is the same model as version 1, which alone refuses it; the comparison's own verdict is what is tested here.
    const [v2] = await t.tact.learning.train(['rates'], 'cli', { force: true });
    await afterTraining();
    // Version 2, fitted like version 1, gives every held-out trial the same probability: a tie,
    // which favours neither (until 2026-12-04 it read "favours it" and went live).
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(false);
    const f = v2.promotion?.comparison?.figures as { rates: { subjects: number; points: number; ci: [number, number]; tie?: true }[] };
    expect(f.rates[0]).toMatchObject({ subjects: 40, points: 160, difference: 0, tie: true });
    expect(v2.promotion?.reason).toMatch(/^the comparison with version 1 does not favour it: email_open: mean log-likelihood of the held-out trials .*: no difference between version 2 and version 1$/);
    await t.tact.learning.registry.promote('rates', 2, { actor: 'test', force: true, reason: 'the tie above' });

    // A version that ignores what each person did (personal prior strength 10⁶) against one that
    // follows it: on the same 160 held-out e-mails it predicts worse, and is refused.
    const live = (await t.tact.store.models.getVersion('rates', 2)) as ModelVersion<RatesModelState>;
    const fitted = live.state.rates.email_open;
    expect(fitted.concentration.personal).toBeLessThan(50); // people differ: their own opens count
    const blind: ModelVersion<RatesModelState> = { ...live, version: 3, state: { rates: { email_open: { ...fitted, concentration: { ...fitted.concentration, personal: 1e6 } } } } };
    const compare = ratesComparator({ store: t.tact.store, settings: t.tact.settings });
    const v1Row = (await t.tact.store.models.getVersion('rates', 1))!;
    const verdict = await compare(blind, v1Row);
    expect(verdict.better).toBe(false);
    expect(verdict.summary).toContain('the candidate predicts worse for email_open');
    const worse = (verdict.figures as { rates: { ci: [number, number] }[] }).rates[0];
    expect(worse.ci[1]).toBeLessThan(0);
    // … and the other way round, the person-following version beats the blind one.
    const back = await compare({ ...live, version: 4 }, { ...blind, dataTo: v1Row.dataTo });
    expect(back.better).toBe(true);
    expect((back.figures as { rates: { ci: [number, number] }[] }).rates[0].ci[0]).toBeGreaterThan(0);

    // Right away again: three new e-mails say nothing either way.
    for (let u = 0; u < 3; u++) await emailExposure(t, u, 20);
    await t.tact.consumers.runAll();
    const [v5] = await t.tact.learning.train(['rates']);
    await afterTraining();
    expect(v5.promotion).toMatchObject({ promoted: false });
    expect(v5.promotion?.reason).toContain(`no rate has ${MIN_HELD_OUT} subjects with a resolved exposure recorded after version 2 was trained (email_open: 3 subjects)`);
  });

  it("judges held-out subjects by Student's t, and a difference the same for every subject by the exact sign test", () => {
    const point = (i: number): CalibrationPoint => ({ model: 'rates', key: 'email_open', subjectId: `u-${i}`, seq: i + 1, at: 0, alpha: 1, beta: 1, deadline: 0, outcome: 1, modelVersion: 'rates@1' });
    // 30 subjects, one point each, candidate − live −0.74 (15) and +0.34 (15): mean −0.2;
    // scipy.stats.ttest_1samp → 95% CI (−0.40508639, 0.00508639): not worse (1.96 s.e.: [−0.3965, −0.0035], worse).
    const close = compareOnPoints('email_open', Array.from({ length: 30 }, (_, i) => point(i)), (p) => ({ candidate: Number(p.subjectId.slice(2)) < 15 ? -0.74 : 0.34, live: 0 }), 1);
    expect(close).toMatchObject({ subjects: 30, difference: -0.2, ci: [-0.4051, 0.0051], worse: false });
    // 40 subjects, each 0.1 nat worse: no spread, so no interval for the mean; 40 of 40 worse, p = 2⁻³⁹.
    const same = compareOnPoints('email_open', Array.from({ length: 40 }, (_, i) => point(i)), () => ({ candidate: -0.8, live: -0.7 }), 1);
    expect(same).toMatchObject({ subjects: 40, difference: -0.1, ci: null, sameForEvery: true, worse: true });
    const v = ratesVerdict([same as never], [], { candidate: 3, live: 2 });
    expect(v.better).toBe(false);
    expect(v.summary).toContain('(difference per subject -0.1 for every one of the 40 subjects: no spread, so the mean has no interval; exact sign test p = 1.8e-12): the candidate predicts worse for email_open');
  });

  it('scores a trial by the mean of the subject\'s belief, centred on the deepest rung its counts earned under the version', () => {
    const [rate] = ratesKind.compile(config.rates);
    const ladder = ladderFor(rate, undefined); // κ personal 30, population prior Beta(1, 1)
    const population = { successes: 30, trials: 100 };
    // Two own trials: 2 / (2 + 30) < 0.2, the personal rung is not earned; centred on the population's
    // mean 31/102, the two opens in it: (30 × 31/102 + 2)/32 (until 2026-12-06 31/102, as shown then).
    expect(pointLogLik(ladder, { population, personal: { successes: 2, trials: 2 } }, 1)).toBeCloseTo(Math.log((30 * (31 / 102) + 2) / 32), 12);
    // Twenty own trials, 18 opens: earned; prior 30 × 31/102 pseudo-successes of 30.
    const m = 31 / 102;
    expect(pointLogLik(ladder, { population, personal: { successes: 18, trials: 20 } }, 0)).toBeCloseTo(Math.log(1 - (30 * m + 18) / 50), 12);
  });

  it('reads an exact tie as a tie: no difference, not a reason to promote', () => {
    const point = (i: number): CalibrationPoint => ({ model: 'rates', key: 'email_open', subjectId: `u-${i}`, seq: i + 1, at: 0, alpha: 1, beta: 1, deadline: 0, outcome: 1, modelVersion: 'rates@1' });
    const points = Array.from({ length: 40 }, (_, i) => point(i));
    // Both versions give every held-out trial the same log-likelihood: every difference is 0.
    const same = compareOnPoints('email_open', points, () => ({ candidate: -0.7, live: -0.7 }), 1);
    expect(same).toMatchObject({ subjects: 40, difference: 0, worse: false, tie: true });
    const v = ratesVerdict([same as never], [], { candidate: 3, live: 2 });
    expect(v.better).toBe(false);
    expect(v.inconclusive).toBeUndefined();
    expect(v.summary).toMatch(/: no difference between version 3 and version 2$/);
    expect(v.summary).not.toContain('no worse');
    // Equal mean scores with spread (+0.5 for 20 subjects, −0.5 for 20, exact in binary): a tie too.
    const even = compareOnPoints('email_open', points, (p) => ({ candidate: Number(p.subjectId.slice(2)) < 20 ? -0.25 : -1.25, live: -0.75 }), 1);
    expect(even).toMatchObject({ difference: 0, tie: true, worse: false });
    expect(ratesVerdict([even as never], [], { candidate: 3, live: 2 }).better).toBe(false);
    // A tie on one rate does not hide a real difference on another.
    const better = compareOnPoints('email_click', points, () => ({ candidate: -0.6, live: -0.7 }), 1);
    expect(ratesVerdict([same as never, better as never], [], { candidate: 3, live: 2 }).better).toBe(true);
  });
});

describe('what a rates comparison says it found', () => {
  const point = (i: number): CalibrationPoint => ({ model: 'rates', key: 'email_open', subjectId: `u-${i}`, seq: i + 1, at: 0, alpha: 1, beta: 1, deadline: 0, outcome: 1, modelVersion: 'rates@1' });
  const points = Array.from({ length: 40 }, (_, i) => point(i));

  it('says `not worse` for a candidate a little below the live version within noise — it passes, but is not called better (QA: `better: true` on −0.0208 [−0.0421, 0.0006])', () => {
    // Per subject −0.02 ± 0.07 alternating: mean −0.02, 95% CI about [−0.043, 0.003].
    const below = compareOnPoints('email_open', points, (p) => ({ candidate: -0.7 + (Number(p.subjectId.slice(2)) % 2 ? 0.05 : -0.09), live: -0.7 }), 1);
    expect(below).toMatchObject({ worse: false, better: false });
    const v = ratesVerdict([below as never], [], { candidate: 2, live: 1 });
    expect(v).toMatchObject({ better: true, verdict: 'not worse' });
    expect(v.summary).toMatch(/: the candidate predicts no worse \(not shown worse: no rate's 95% interval lies wholly below 0\)$/);
    // Shown better: the whole interval above 0.
    const above = compareOnPoints('email_open', points, (p) => ({ candidate: -0.5 + (Number(p.subjectId.slice(2)) % 2 ? 0.01 : -0.01), live: -0.7 }), 1);
    expect(above).toMatchObject({ worse: false, better: true });
    expect(ratesVerdict([above as never], [], { candidate: 2, live: 1 })).toMatchObject({ better: true, verdict: 'better', summary: expect.stringMatching(/: the candidate predicts better$/) });
    // Better on one rate and only not worse on another: not worse.
    expect(ratesVerdict([above as never, below as never], [], { candidate: 2, live: 1 }).verdict).toBe('not worse');
    expect(ratesVerdict([], ['email_open: 3 subjects'], { candidate: 2, live: 1 }).verdict).toBe('inconclusive');
  });
});

describe('a held-out point\'s outcome', () => {
  const point = (deadline: number, outcome: number | null) => ({ model: 'rates', key: 'email_open', subjectId: 's', seq: 1, at: deadline - 1000, alpha: 1, beta: 9, deadline, outcome, modelVersion: 'rates@1' }) as CalibrationPoint;
  it('is known only once the window is over: a success inside it is as open as a silence, or the versions are scored on a sample tilted to successes', () => {
    expect(resolvedOutcome(point(500, 1), 1000)).toBe(1);
    expect(resolvedOutcome(point(500, null), 1000)).toBe(0);
    expect(resolvedOutcome(point(1500, 1), 1000)).toBeUndefined();
    expect(resolvedOutcome(point(1500, null), 1000)).toBeUndefined();
  });
});
