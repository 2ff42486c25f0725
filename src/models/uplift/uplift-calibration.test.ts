import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../../decide/fixtures.js';
import { normalQuantile } from '../../learn/math/special.js';
import { newcombeDifference } from '../../measure/stats/proportion-intervals.js';
import { logDecisions, type Made } from './fixtures.js';
import { heldOutSubject } from './held-out.js';
import { renderUpliftCalibration, upliftCalibrationReports, type UpliftCalibrationView } from './uplift-calibration.js';

const DAY = 86_400_000;


/** 800 decisions 30 days ago, each converting (or not) an hour later. */
const seedLog = (h: Harness) => logDecisions(h, { first: 0, n: 800, at: Date.now() - 30 * DAY, delay: 3_600_000 });

/** Treated − control of the conversion rates (equal propensities: the weighted means are the plain rates). */
function difference(rows: readonly Made[]): number {
  const rate = (arm: Made['arm']) => rows.filter((m) => m.arm === arm && m.converted).length / rows.filter((m) => m.arm === arm).length;
  return rate('shoes-offer') - rate('none');
}

describe('the calibration report of the uplift model', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reports predicted against observed uplift on the held-out subjects, where the other models\' reports are', async () => {
    h = await harness('sqlite', { config: shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } }) });
    const empty = await get(h.app, '/v1/models/uplift/calibration', KEYS.admin);
    expect(empty.statusCode, empty.body).toBe(200);
    expect(empty.json().reports).toEqual([expect.objectContaining({ model: 'uplift', version: null, n: 0 })]);

    const made = await seedLog(h);
    const [trained] = await h.tact.learning.train(['uplift'], 'test');
    const held = made.filter((m) => heldOutSubject(m.key));
    expect(trained.metrics).toMatchObject({ heldOut: held.length });

    const r = await get(h.app, '/v1/models/uplift/calibration', KEYS.admin);
    expect(r.statusCode, r.body).toBe(200);
    const [report] = r.json().reports as UpliftCalibrationView[];
    expect(report).toMatchObject({ model: 'uplift', key: 'shoes-offer', goal: 'conversion', version: 1, n: held.length });
    // Equal propensities (½): the weighted means are the plain rates, so the observed uplift and
    // its interval are the difference of two proportions with Newcombe's hybrid score interval
    // (Newcombe 1998, method 10; src/measure/stats/proportion-intervals.ts).
    const t = held.filter((m) => m.arm === 'shoes-offer');
    const c = held.filter((m) => m.arm === 'none');
    const xt = t.filter((m) => m.converted).length;
    const xc = c.filter((m) => m.converted).length;
    const ref = newcombeDifference(xt, t.length, xc, c.length, normalQuantile(0.975));
    expect(report).toMatchObject({ treated: t.length, control: c.length });
    expect(report.observed).toBeCloseTo(ref.estimate, 10);
    expect(report.interval!.low).toBeCloseTo(ref.ci[0], 10);
    expect(report.interval!.high).toBeCloseTo(ref.ci[1], 10);
    expect(report.bins.reduce((s, b) => s + b.count, 0)).toBe(held.length);
    // The API carries each bin's verdict and how many bins were judged.
    expect(report.binsJudged).toBe(report.bins.filter((b) => b.verdict === 'holds' || b.verdict === 'misses').length);
    expect(report.minRows).toBe(10);
    expect(report.meanPredicted!).toBeGreaterThan(0.2);

    const one = await get(h.app, '/v1/models/uplift/calibration?key=shoes-offer', KEYS.admin);
    expect(one.json().reports).toHaveLength(1);
    const typo = await get(h.app, '/v1/models/uplift/calibration?key=shoes-ofer', KEYS.admin);
    expect(typo.statusCode, typo.body).toBe(400);
    expect(typo.json().problems).toEqual([{ field: 'querystring.key', message: 'The `key` `shoes-ofer` names no action of the live `uplift` version 1; its actions are shoes-offer.' }]);

    const text = renderUpliftCalibration(report);
    expect(text).toContain(`uplift shoes-offer (version 1, goal conversion): ${held.length} held-out decisions (${t.length} showed it, ${c.length} did nothing)`);
    expect(text).toContain(`${report.binsHolding} of ${report.binsJudged} judged bins' 95% intervals hold their predicted uplift`);
  });

  it('says which bins have too few rows to judge, and leaves them out of the count', () => {
    // The QA report of 2026-12-06: a bin of 6 rows (2 treated, none converting) read
    // "0.0000 [0.0000, 0.0000] misses" and counted among "2 of 4 bins' 95% intervals hold".
    const bin = (o: Partial<UpliftCalibrationView['bins'][number]>) => ({ low: 0.1, high: 0.1, count: 200, treated: 100, control: 100, effectiveTreated: 100, effectiveControl: 100, meanPredicted: 0.1, observed: 0.1, interval: { low: 0.05, high: 0.15 }, holds: true, verdict: 'holds' as const, ...o });
    const view: UpliftCalibrationView = {
      model: 'uplift', key: 'shoes-offer', goal: 'conversion', version: 1, windowMs: 7 * DAY, pending: 0,
      n: 606, treated: 302, control: 304, level: 0.95, meanPredicted: 0.1, observed: 0.1, interval: { low: 0.06, high: 0.14 }, meanAbsoluteGap: 0.01,
      bins: [
        bin({ low: 0.05, high: 0.05, count: 6, treated: 2, control: 4, effectiveTreated: 2, effectiveControl: 4, meanPredicted: 0.05, observed: 0, interval: { low: -0.4899, high: 0.6576 }, holds: null, verdict: 'too few' }),
        bin({}),
        bin({ meanPredicted: 0.3, holds: false, verdict: 'misses' }),
      ],
      binsObserved: 3, binsJudged: 2, binsHolding: 1, minRows: 10,
    };
    const text = renderUpliftCalibration(view);
    expect(text).toContain("1 of 2 judged bins' 95% intervals hold their predicted uplift (1 more with fewer than 10 effective treated or control rows: too few to judge)");
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('[-0.4899, 0.6576]'))).toMatch(/too few$/);
    expect(lines.filter((l) => l.endsWith('misses'))).toHaveLength(1);
  });
  it('judges only decisions whose attribution window has closed, and counts those still inside it', async () => {
    h = await harness('sqlite', { config: shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } }) });
    const old = await seedLog(h);
    await h.tact.learning.train(['uplift'], 'test');
    // Made a day ago under the policy's 7-day window: their conversions (6 days later) have not come yet.
    const recent = await logDecisions(h, { first: 800, n: 400, at: Date.now() - DAY, delay: 6 * DAY });
    const [report] = (await get(h.app, '/v1/models/uplift/calibration', KEYS.admin)).json().reports as UpliftCalibrationView[];
    const held = old.filter((m) => heldOutSubject(m.key));
    expect(report).toMatchObject({ n: held.length, pending: recent.filter((m) => heldOutSubject(m.key)).length, windowMs: 7 * DAY });
    expect(report.observed).toBeCloseTo(difference(held), 10);
    expect(renderUpliftCalibration(report)).toContain(`${report.pending} more still inside the 7-day attribution window, left out`);
  });

  it('reads its capped share of the log from decisions whose window has closed, so a busy hour of open ones cannot crowd them out', async () => {
    h = await harness('sqlite', { config: shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } }) });
    const old = await seedLog(h);
    await h.tact.learning.train(['uplift'], 'test');
    const recent = await logDecisions(h, { first: 800, n: 400, at: Date.now() - DAY, delay: 6 * DAY });
    // A log cap of 800 decisions (100,000 in service: at 1,000 decisions a second, the last two
    // minutes): read newest first from now, the 400 open decisions took half of it and the report
    // judged only the newer half of the closed ones.
    const [report] = await upliftCalibrationReports(h.tact.store, h.tact.settings, undefined, Date.now(), { sinceMs: 90 * DAY, max: 800 });
    const held = old.filter((m) => heldOutSubject(m.key));
    expect(report).toMatchObject({ n: held.length, pending: recent.filter((m) => heldOutSubject(m.key)).length });
    expect(report.observed).toBeCloseTo(difference(held), 10);
  });

  it('stops counting the open decisions after a bound, and says the count is a lower bound', async () => {
    h = await harness('sqlite', { config: shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } }) });
    await seedLog(h);
    await h.tact.learning.train(['uplift'], 'test');
    const recent = await logDecisions(h, { first: 800, n: 400, at: Date.now() - DAY, delay: 6 * DAY });
    const open = recent.filter((m) => heldOutSubject(m.key)).length;
    const all = await upliftCalibrationReports(h.tact.store, h.tact.settings, undefined, Date.now());
    expect(all[0].pending).toBe(open);
    expect(all[0].pendingAtLeast).toBeUndefined();
    // 100 of the 400 newest read: the held-out ones among them, and "at least".
    const [bounded] = await upliftCalibrationReports(h.tact.store, h.tact.settings, undefined, Date.now(), undefined, { scanMax: 100 });
    const newest = recent.slice(-100).filter((m) => heldOutSubject(m.key)).length;
    expect(bounded).toMatchObject({ pending: newest, pendingAtLeast: true });
    expect(renderUpliftCalibration(bounded)).toContain(`; at least ${newest} more still inside the 7-day attribution window, left out`);
  });

  it('closes each action\'s window by its own attribution window, for its treated and its control rows alike', async () => {
    const config = shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } });
    const shoes = config.catalog.actions!.find((a) => a.id === 'shoes-offer')!;
    shoes.attributionWindow = '14d';
    h = await harness('sqlite', { config });
    const old = await seedLog(h);
    await h.tact.learning.train(['uplift'], 'test');
    // The shoes' window is 14 days, as attribution credits it: made 20 days ago, their conversions
    // 9 days later are inside it; made 10 days ago, the window is open (some have converted already).
    const closed = await logDecisions(h, { first: 800, n: 400, at: Date.now() - 20 * DAY, delay: 9 * DAY });
    const open = await logDecisions(h, { first: 1200, n: 400, at: Date.now() - 10 * DAY, delay: 9 * DAY });
    const [report] = (await get(h.app, '/v1/models/uplift/calibration', KEYS.admin)).json().reports as UpliftCalibrationView[];
    const held = [...old, ...closed].filter((m) => heldOutSubject(m.key));
    expect(report).toMatchObject({ n: held.length, pending: open.filter((m) => heldOutSubject(m.key)).length, windowMs: 14 * DAY });
    // Read with the policy's 7 days (as before), the 10-day-old decisions were judged and every
    // conversion 9 days after a decision was a failure: n 320 instead of 242, the uplift diluted.
    expect(report.observed).toBeCloseTo(difference(held), 10);
  });
});
