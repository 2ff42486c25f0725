import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';
import { calibrationReports } from '../models/calibration/reports.js';
import { renderCalibration } from '../models/cli.js';
import type { DecisionRecord } from './decision.js';
import { decisionCalibration, decisionPoints } from './decision-calibration.js';
import { shopConfig } from './fixtures.js';
import type { OutcomeRecord } from './records.js';
import { advertising, decideReq, post } from './test-http.js';

const DAY = 86_400_000;

function record(id: string, at: number, action: string, trace: Partial<DecisionRecord['scored'][number]>, extra: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    id, at, profileKey: `p-${id}`, subject: 's', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'beta-ladder@1', arm: 'treatment',
    choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 1, why: '' }], scored: [{ action, score: 1, ...trace }], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {}, ...extra,
  };
}
const success = (decisionId: string, action: string): OutcomeRecord => ({ id: `o-${decisionId}`, at: 0, profileKey: 'p', type: 'conversion', value: 10, decisionId, action, credit: 1, reward: 10, success: true, source: 'api' });

describe('calibration of the decisions\' estimates', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('replays each chosen action\'s Beta belief against its goal outcome once the window is over: a success or a failure; pending before, a success too', () => {
    const now = 100 * DAY;
    const records = [
      record('won', now - 8 * DAY, 'shoes', { a: 2, b: 38 }),
      // A success inside the window waits like a silence: judged early, successes alone would read the rate high.
      record('won-early', now - 1 * DAY, 'shoes', { a: 2, b: 38 }),
      record('lost', now - 8 * DAY, 'shoes', { a: 2, b: 38 }),
      record('open', now - 1 * DAY, 'shoes', { a: 2, b: 38 }),
      record('bandit', now - 8 * DAY, 'shoes', { a: 2, b: 38 }, { bandit: { model: 'bandit:home@1', features: [1] } }),
      record('old', now - 8 * DAY, 'shoes', {}),
      record('holdout', now - 8 * DAY, 'shoes', { a: 2, b: 38 }, { arm: 'holdout' }),
    ];
    const { points, pending, withoutPosterior } = decisionPoints(records, [success('won', 'shoes'), success('won-early', 'shoes')], now, () => 7 * DAY);
    expect(points).toEqual([
      { subjectId: 'p-won', seq: now - 8 * DAY, alpha: 2, beta: 38, outcome: 1 },
      { subjectId: 'p-lost', seq: now - 8 * DAY, alpha: 2, beta: 38, outcome: 0 },
    ]);
    expect(pending).toBe(2);
    expect(withoutPosterior).toBe(2);
  });

  it('is served at /v1/models/decisions/calibration and printed by `tact calibration`, from what the decisions logged', async () => {
    const t = (h = await harness('sqlite', { config: shopConfig() }));
    const ids: string[] = [];
    for (let u = 0; u < 30; u++) {
      await send(t.app, '/v1/identify', { userId: `u${u}`, traits: { name: `U${u}` }, context: advertising });
      const d = (await decideReq(t.app, { subject: `u${u}`, placement: 'home' })).json();
      ids.push(d.decisionId);
    }
    const logged = (await t.tact.store.decisions.getDecision(ids[0]))!;
    const chosen = logged.scored.find((s) => s.action === logged.choices[0].action)!;
    // The population's prior: Beta(0.05 × 20, 0.95 × 20) before any outcome (shopConfig's estimates).
    expect(chosen).toMatchObject({ p: 0.05, a: expect.closeTo(1, 6), b: expect.closeTo(19, 6) });
    for (const id of ids.slice(0, 6)) expect((await post(t.app, '/v1/outcomes', { decisionId: id, type: 'conversion', value: 60 })).statusCode).toBe(200);

    const now = (await get(t.app, '/v1/models/decisions/calibration')).json();
    // Every window is open: the six conversions wait with the rest (counted, they read an observed rate of 1).
    expect(now.reports[0]).toMatchObject({ model: 'decisions', n: 0, pending: 30, observedRate: null });
    // Eight days on, every window has closed: 6 of 30 converted.
    const [later] = await calibrationReports(t.tact.store, t.tact.settings, 'decisions', undefined, Date.now() + 8 * DAY);
    expect(later).toMatchObject({ n: 30, pending: 0 });
    expect(later.observedRate).toBeCloseTo(6 / 30, 12);
    const text = renderCalibration(later);
    expect(text).toContain('decisions: 30 resolved predictions (0 still inside their window)');
    expect(text).toMatch(/ECE 0\.\d{4} · MCE/);
  });

  it('reads its capped share of the log from decisions whose window has closed, and counts the newer ones', async () => {
    const t = (h = await harness('sqlite', { config: shopConfig() }));
    const store = t.tact.store.decisions;
    const now = Date.now();
    // 40 decisions 8 days ago (window closed, one in four converted), then 60 in the last day.
    for (let i = 0; i < 40; i++) await store.appendDecision(record(`old${i}`, now - 8 * DAY + i, 'shoes', { a: 2, b: 38 }));
    for (let i = 0; i < 60; i++) await store.appendDecision(record(`new${i}`, now - DAY + i, 'shoes', { a: 2, b: 38 }));
    await store.addOutcomes(Array.from({ length: 10 }, (_, i) => ({ ...success(`old${i * 4}`, 'shoes'), at: now - 8 * DAY + 3_600_000 })));
    // A cap of 50 decisions: read newest first from now, the open ones took 50 of them and none was judged.
    const r = await decisionCalibration(store, now, () => 7 * DAY, { shortest: 7 * DAY, max: 50 });
    expect(r).toMatchObject({ n: 40, pending: 60, observedRate: 0.25 });
  });
});
