import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, get, harness, send, type Harness } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';

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
  const opened: { h?: Harness; store?: SqliteStore }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.h?.close();
      await o.store?.close();
    }
  });

  it('is learning (pending) with the prior inside its interval, before and after a restart; the counts are the same', async () => {
    const path = join(testDir('tact-open-windows-'), 'tact.db');
    const start = async () => {
      const store = await openSqliteStore({ path, checkpointMs: 3_600_000 });
      const h = await harness('sqlite', { store, config });
      opened.push({ h, store });
      return h;
    };
    let h = await start();
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

    await opened[0].h!.close();
    await opened[0].store!.close();
    opened.splice(0);
    h = await start();
    expect((await h.tact.decide.state.openRead).error).toBeUndefined();
    expect(await read()).toEqual(before);
  });
});
