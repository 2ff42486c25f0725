import { afterEach, describe, expect, it } from 'vitest';
import { bearer, get, restartable, send } from '../../test/harness.js';
import type { DecisionRecord } from './decision.js';

/**
 * QA's case end to end (2026-12-06, docs/adr/0007-open-attribution-windows.md): right after a
 * campaign, with no outcome possible yet, `tact estimates` read the newsletter's rate as
 * "0.4% (90% 0.0%–2.3%, n=193, population, established)". Through the API, and again after a
 * restart (which reads the open choices from the log in the background): learning, `pending`, and
 * an interval that holds the 5% prior. The prior's upper end, Beta(1, 19) at 95% — scipy 1.17.1:
 *   python3 -c "from scipy.stats import beta; print(float(beta.ppf(0.95, 1, 19)))"  # 0.1458685033122434
 */
const config = {
  catalog: { actions: [{ id: 'newsletter', name: 'Our newsletter', channels: ['web'], value: 1 }], placements: [{ id: 'home', name: 'Home', channel: 'web', slots: 1 }] },
  policy: { exploration: { budget: 0 }, estimates: { priorMean: 0.05, priorStrength: 20 } },
};

describe('a campaign\'s estimate before any outcome could come', () => {
  let server: ReturnType<typeof restartable> | undefined;
  afterEach(() => server?.stop());

  it('is learning (pending) with the prior inside its interval, before and after a restart; the counts are the same', async () => {
    server = restartable('tact-open-windows-', config);
    let h = await server.start();
    expect((await send(h.app, '/v1/identify', { userId: 'ana' })).statusCode).toBe(200);
    for (let i = 0; i < 193; i++) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(), 'content-type': 'application/json' }, payload: { subject: `subscriber-${i}`, placement: 'home' } });
      expect(r.json().choices[0].action, r.body).toBe('newsletter');
    }
    const read = async () => ((await get(h.app, '/v1/profiles/ana/estimates')).json().decisionEstimates as { action: string; value: number; low: number; high: number; evidence: number; status: string; reason?: string; reading: string }[]).find((e) => e.action === 'newsletter')!;
    const before = await read();
    expect(before).toMatchObject({ evidence: 193, status: 'learning', reason: 'pending' });
    expect(before.high).toBeCloseTo(0.1458685033122434, 6);
    expect(before.reading).toContain('outcomes of recent choices still to come');

    await server.stop();
    h = await server.start();
    expect((await h.tact.decide.state.openRead).error).toBeUndefined();
    expect(await read()).toEqual(before);
  });

  it('counts open after a fold and a restart the choices of a window longer than the 90 days the snapshot kept (a 120-day window, choices 100 days old)', async () => {
    const H = 3_600_000;
    const long = { ...config, catalog: { ...config.catalog, actions: [{ ...config.catalog.actions[0], attributionWindow: '120d' }] } };
    server = restartable('tact-open-windows-long-', long);
    let h = await server.start();
    const at = Math.floor(Date.now() / H) * H - 100 * 24 * H;
    for (let i = 0; i < 3; i++) {
      const record: DecisionRecord = {
        id: `old-${i}`, at: at + i, profileKey: `p-old-${i}`, subject: `old-${i}`, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
        arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'newsletter', score: 1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
      };
      await h.store.decisions.appendDecision(record);
    }
    // The fold puts them in the snapshot; it let hours older than 90 days go whatever the windows (until 2026-12-07).
    expect((await h.tact.decide.foldCounts()).decisions).toBe(3);
    await server.stop();
    h = await server.start();
    expect((await h.tact.decide.state.openRead).error).toBeUndefined();
    expect(h.tact.decide.state.counts.openTrials('newsletter', null, Date.now(), 120 * 24 * H)).toBe(3);
  });
});
