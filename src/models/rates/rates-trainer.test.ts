import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, harness, type Harness } from '../../../test/harness.js';
import { heldOutReport } from '../../learn/calibration/held-out.js';
import { subjectBelief } from '../../learn/rates/ladder.js';
import { DAY, estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';
import { calibrationReport } from '../calibration/calibration.js';
import type { ModelVersion } from '../registry/model-store.js';
import { type RatesModelState, ladderFor } from './rate-model.js';
import { type SubjectCounts, fitLadder } from './rates-trainer.js';
import { ratesKind } from './rates-kind.js';

const H = 3_600_000;
const rate = { name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' };
const config = {
  features: [{ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  rates: [rate],
  segments: { audiences: [{ name: 'big', when: 'features.revenue >= 500.0' }, { name: 'small', when: 'features.revenue < 500.0' }] },
};

/** ln B(a + s, b + n − s) − ln B(a, b) by rising factorials (no lnBeta), a = κm, b = κ(1 − m). */
function logLik(groups: readonly { s: number; n: number; m: number }[], kappa: number): number {
  let ll = 0;
  for (const g of groups) {
    for (let i = 0; i < g.s; i++) ll += Math.log(kappa * g.m + i);
    for (let i = 0; i < g.n - g.s; i++) ll += Math.log(kappa * (1 - g.m) + i);
    for (let i = 0; i < g.n; i++) ll -= Math.log(kappa + i);
  }
  return ll;
}

/**
 * QA, 2026-12-05: 80 subjects, forty with revenue 600 (segment `big`) opening 16 of their 20
 * e-mails, forty with revenue 100 (`small`) opening 2 of 20; deliveries 40–21 days ago.
 */
async function twoSegments(t: Harness): Promise<void> {
  const now = Date.now();
  await ingest(t, Array.from({ length: 80 }, (_, u) => track(`u-${u}`, 'Order Completed', { revenue: u < 40 ? 600 : 100 }, now - 50 * DAY)));
  const messages: object[] = [];
  for (let u = 0; u < 80; u++) {
    for (let k = 0; k < 20; k++) {
      const at = now - (40 - k) * DAY;
      messages.push(track(`u-${u}`, 'Email Delivered', {}, at));
      // (7k + u) mod 10 takes every residue once in ten e-mails: exactly 16 (big) or 2 (small) of 20.
      if ((k * 7 + u) % 10 < (u < 40 ? 8 : 1)) messages.push(track(`u-${u}`, 'Email Opened', {}, at + H));
    }
  }
  await ingest(t, messages);
}

describe('the rates training', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('fits the personal κ around each subject\'s segment, as a read centres it: a segment member with five unopened e-mails stays near the segment\'s 0.80', async () => {
    const t = (h = await harness('sqlite', { config }));
    await twoSegments(t);
    const [trained] = await t.tact.learning.train(['rates']);
    await afterTraining();
    expect(trained.promotion).toMatchObject({ promoted: true });
    const v = (await t.tact.store.models.getVersion('rates', trained.version!)) as ModelVersion<RatesModelState>;
    const k = v.state.rates.email_open.concentration;

    // Each subject's parent, computed by hand as a read computes it (conjugate updates, its own
    // trials left out): the population's others Beta(1 + 720 − s, 1 + 880 − (20 − s)), then the
    // segment's others (640 or 80 of 800, less its own) with κ_eff = min(κ_segment, α + β).
    const pairs = Array.from({ length: 80 }, (_, u) => {
      const s = u < 40 ? 16 : 2;
      const mPop = (1 + 720 - s) / (2 + 1600 - 20);
      const kEff = Math.min(k.segment, 2 + 1600 - 20);
      return { s, n: 20, m: (kEff * mPop + (u < 40 ? 640 : 80) - s) / (kEff + 800 - 20) };
    });
    // Brute force over ln κ in [ln 2, ln 10⁶], step 10⁻³: the likelihood rises all the way to the cap
    // (every member of a segment opens as its segment does: complete pooling).
    let best = 0;
    let top = -Infinity;
    for (let x = Math.log(2); x <= Math.log(1e6); x += 1e-3) {
      const ll = logLik(pairs, Math.exp(x));
      if (ll > top) [top, best] = [ll, Math.exp(x)];
    }
    expect(best).toBeGreaterThan(0.99e6);
    expect(k.personal).toBeGreaterThan(0.99e6); // until 2026-12-05: 2.0000006, fitted around the population's 0.45
    expect(logLik(pairs, k.personal)).toBeCloseTo(top, 4);
    // scipy 1.17, the same pairs (parents 0.7990937 and 0.1009066 at κ_segment = 2):
    //   minimize_scalar(lambda lk: -sum(betabinom.logpmf(s, n, exp(lk) * m, exp(lk) * (1 - m)) for s, n, m in pairs),
    //                   bounds=(log(2), log(1e6)), method='bounded', options={'xatol': 1e-8})
    // → κ = 999,820, NLL 111.0857 against 225.2859 at κ = 2 (binomial coefficients cancel in the difference).
    expect(logLik(pairs, k.personal) - logLik(pairs, 2)).toBeCloseTo(225.28586716940666 - 111.08573138015345, 3);
    // The segment rung, around the population's 721/1602: two segments at 0.8 and 0.1 differ so much
    // that the likelihood peaks below the floor (scipy, unbounded: κ = 1.78, NLL 13.31397; 13.32387 at κ = 2).
    expect(k.segment).toBeCloseTo(2, 3);
    // No micro-segments: that rung keeps its default, and the metrics say so.
    expect(k['micro-segment']).toBe(100);
    expect((v.metrics.email_open as { defaults: Record<string, string> }).defaults).toEqual({ 'micro-segment': 'fewer than two micro-segments of the live version hold trials' });

    // Z: revenue 600, five e-mails 10–6 days ago, none opened. κ_eff = min(κ_personal, 2 + 800) —
    // five trials weigh 5/807 < 0.2: shown from the segment, whose rate is m = (κ_seg·m_pop + 640)/(κ_seg + 800);
    // the subject's own rate κ_eff·m/(κ_eff + 5), on 800 + 5 trials (until 2026-12-06 m itself, on 800:
    // the group's mean shown as the subject's, its five unopened e-mails dropped).
    const now = Date.now();
    await ingest(t, [track('z', 'Order Completed', { revenue: 600 }, now - 20 * DAY), ...Array.from({ length: 5 }, (_, i) => track('z', 'Email Delivered', {}, now - (10 - i) * DAY))]);
    const z = (await estimatesOf(t, 'z')).estimates.find((e) => e.model === 'rate')!;
    expect(z).toMatchObject({ source: 'segment', evidence: 805 });
    const mSeg = (k.segment * (721 / 1602) + 640) / (k.segment + 800);
    const kEff = Math.min(k.personal, k.segment + 800);
    expect(z.value).toBeCloseTo((kEff * mSeg) / (kEff + 5), 4);
  });

  it('records the calibration of the version it trains, its predictions replayed on the recorded exposures — not the live predictions\'', async () => {
    const t = (h = await harness('sqlite', { config }));
    await twoSegments(t);
    const [trained] = await t.tact.learning.train(['rates']);
    await afterTraining();
    const v = (await t.tact.store.models.getVersion('rates', trained.version!)) as ModelVersion<RatesModelState>;
    const held = (v.metrics.email_open as { heldOut: { n: number; ece: number; coverage90: number } }).heldOut;
    // The 1,600 exposures each recorded the default ladder's prediction (κ 100, 100, 30) with its counts.
    const points = await t.tact.store.estimates.points('rates', 'email_open', 10_000, { closedBy: v.dataTo });
    expect(points).toHaveLength(1600);
    const ladder = ladderFor(ratesKind.compile([rate])[0], v);
    const replayed = points.map((p) => {
      const post = subjectBelief(ladder, p.inputs!).posterior;
      return { subjectId: p.subjectId, seq: p.seq, alpha: post.alpha, beta: post.beta, outcome: p.outcome ?? 0 };
    });
    const expected = heldOutReport(replayed);
    expect(held).toMatchObject({ n: 1600, ece: expected.ece, coverage90: expected.coverage.coverage });
    // The live predictions' report (until 2026-12-05 every version recorded this one) differs.
    const recorded = await calibrationReport(t.tact.store.estimates, 'rates', 'email_open', v.dataTo!);
    expect(recorded.n).toBe(1600);
    expect(held.ece).not.toBeCloseTo(recorded.ece, 3);
  });

  it('with fewer than two subjects holding resolved trials fits nothing: skipped, and the personal κ stays the documented 30', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [rate] } }));
    const now = Date.now();
    // A: ten e-mails 20–11 days ago, five opened. B: forty in the last forty hours, none opened (inside the window).
    const messages: object[] = [];
    for (let i = 0; i < 10; i++) {
      messages.push(track('a', 'Email Delivered', {}, now - (20 - i) * DAY));
      if (i % 2 === 0) messages.push(track('a', 'Email Opened', {}, now - (20 - i) * DAY + H));
    }
    for (let i = 0; i < 40; i++) messages.push(track('b', 'Email Delivered', {}, now - (40 - i) * H));
    await ingest(t, messages);
    const [r] = await t.tact.learning.train(['rates']);
    expect(r.version).toBeUndefined(); // until 2026-12-05: version 1, live, κ 100 for every rung
    expect(r.skipped).toBe('no rate has the data to fit a prior strength (email_open: fewer than two segments hold trials, fewer than two micro-segments of the live version hold trials, fewer than two subjects hold resolved trials): the defaults stand');
    expect(await t.tact.learning.registry.live('rates')).toBeUndefined();
    // A's ten trials against κ = 30 carry 10/40 ≥ 0.2: personal.
    const a = (await estimatesOf(t, 'a')).estimates.find((e) => e.model === 'rate')!;
    expect(a).toMatchObject({ source: 'personal', evidence: 10, modelVersion: 'rates@default' });
  });

  it('fits the micro-segment κ around the segment each micro-segment\'s members read', () => {
    // Segments A (640 of 800) and B (80 of 800); micro-segments 0, 1 inside A (330, 310 of 400) and
    // 2, 3 inside B (50, 30 of 400), one member each, who credited them all their trials.
    const population = { successes: 720, trials: 1600 };
    const groupRows = new Map([
      ['segment:a', { successes: 640, trials: 800 }], ['segment:b', { successes: 80, trials: 800 }],
      ['micro-segment:1:0', { successes: 330, trials: 400 }], ['micro-segment:1:1', { successes: 310, trials: 400 }],
      ['micro-segment:1:2', { successes: 50, trials: 400 }], ['micro-segment:1:3', { successes: 30, trials: 400 }],
    ]);
    const member = (i: number): SubjectCounts => {
      const own = groupRows.get(`micro-segment:1:${i}`)!;
      return { counts: own, keys: { population: 'population', segment: i < 2 ? 'segment:a' : 'segment:b', micro: `micro-segment:1:${i}` }, own: { population: own, segment: own, micro: own } };
    };
    const { concentration } = fitLadder(ratesKind.compile([rate])[0], population, groupRows, [0, 1, 2, 3].map(member));
    // By hand: the segment posterior means, Beta(κ_eff·721/1602 + s, κ_eff·881/1602 + n − s), κ_eff = min(κ_segment, 1602).
    const kSeg = Math.min(concentration.segment, 1602);
    const seg = (s: number) => (kSeg * (721 / 1602) + s) / (kSeg + 800);
    const micro = [{ s: 330, n: 400, m: seg(640) }, { s: 310, n: 400, m: seg(640) }, { s: 50, n: 400, m: seg(80) }, { s: 30, n: 400, m: seg(80) }];
    // Brute force: ln κ on a grid of step 10⁻³ over [ln 2, ln 10⁶], then of step 10⁻⁶ around the best.
    let best = 0;
    let top = -Infinity;
    const scan = (from: number, to: number, step: number) => {
      for (let x = from; x <= to; x += step) {
        const ll = logLik(micro, Math.exp(x));
        if (ll > top) [top, best] = [ll, Math.exp(x)];
      }
    };
    scan(Math.log(2), Math.log(1e6), 1e-3);
    scan(Math.log(best) - 1e-3, Math.log(best) + 1e-3, 1e-6);
    expect(best).toBeGreaterThan(100);
    expect(best).toBeLessThan(1e5);
    expect(concentration['micro-segment'] / best).toBeCloseTo(1, 4);
    expect(logLik(micro, concentration['micro-segment'])).toBeCloseTo(top, 6);
    // Around the population's 0.45 (as before 2026-12-05) the segments' gap reads as the micro-segments' spread.
    const aroundPopulation = micro.map((g) => ({ ...g, m: 721 / 1602 }));
    expect(logLik(aroundPopulation, 2)).toBeGreaterThan(logLik(aroundPopulation, best));
  });

  it('fits the personal κ around the deepest earned rung, as a read centres it: a segment that has not earned its rung is no one\'s parent', () => {
    // One segment, c, holding only its two members' trials (8 and 7 of 10): the segment rung keeps
    // its default κ 100, and each member's segment others (7 or 8 of 10) weigh 10/110 < 0.2 — not
    // earned, so a read centres the member's personal rung on the population's others.
    const population = { successes: 720, trials: 1600 };
    const groupRows = new Map([['segment:c', { successes: 15, trials: 20 }]]);
    const subject = (s: number, segment?: string): SubjectCounts => {
      const own = { successes: s, trials: 10 };
      return { counts: own, keys: { population: 'population', ...(segment ? { segment } : {}) }, own: { population: own, ...(segment ? { segment: own } : {}) } };
    };
    const subjects = [subject(8, 'segment:c'), subject(7, 'segment:c'), ...[4, 5, 3, 5, 4, 6].map((s) => subject(s))];
    const { concentration, unfitted } = fitLadder(ratesKind.compile([rate])[0], population, groupRows, subjects);
    expect(unfitted.segment).toBe('fewer than two segments hold trials');
    // scipy 1.17, each subject around its population others' mean (1 + 720 − s)/(2 + 1600 − 10):
    //   minimize_scalar(lambda lk: -sum(betabinom.logpmf(s, n, exp(lk) * m, exp(lk) * (1 - m)) for s, n, m in pairs),
    //                   bounds=(log(2), log(1e6)), method='bounded', options={'xatol': 1e-10})
    // → κ = 48.388119586283786. Around the unearned segment's posterior means (0.470786, 0.480448),
    // as until 2026-12-05: κ = 177.530305993446.
    expect(concentration.personal / 48.388119586283786).toBeCloseTo(1, 5);
  });
});
