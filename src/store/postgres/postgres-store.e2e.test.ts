import { describe, expect, it } from 'vitest';
import { collectConformance } from '../conformance/collect.case.js';
import { configConformance } from '../conformance/config.case.js';
import { learnConformance } from '../conformance/learn.case.js';
import { decideConformance } from '../conformance/decide.case.js';
import { measureConformance } from '../conformance/measure.case.js';
import { monitorConformance } from '../conformance/monitor.case.js';
import { decideCountsConformance } from '../conformance/decide-counts.case.js';
import { decideGroupsConformance } from '../conformance/decide-groups.case.js';
import { decideOutcomesConformance } from '../conformance/decide-outcomes.case.js';
import { decisionLogConformance } from '../conformance/decision-log.case.js';
import { profilesConformance } from '../conformance/profiles.case.js';
import { identityConflictsConformance } from '../conformance/identity-conflicts.case.js';
import { get, harness, send } from '../../../test/harness.js';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { openPostgresStore } from './postgres-store.js';
import { shopConfig } from '../../decide/fixtures.js';
import { advertising, decideReq, post } from '../../decide/test-http.js';

collectConformance('postgres');
configConformance('postgres');
learnConformance('postgres');
decideConformance('postgres');
measureConformance('postgres');
monitorConformance('postgres');
decideGroupsConformance('postgres');
decideCountsConformance('postgres');
decideOutcomesConformance('postgres');
decisionLogConformance('postgres');
profilesConformance('postgres');
identityConflictsConformance('postgres');

describe('several processes on one PostgreSQL', () => {
  it('start at the same moment on a fresh database, with the same keys and configuration file', async () => {
    const db = await freshPostgresDatabase();
    const stores = await Promise.all([0, 1, 2].map(() => openPostgresStore({ connectionString: db.url, poolSize: 4 })));
    // As an orchestrator starts replicas: all at once, each registering TACT_*_KEY and applying the file.
    const hs = await Promise.all(stores.map((store) => harness('postgres', { store, config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }] } })));
    for (const h of hs) expect((await get(h.app, '/v1/config/features')).statusCode).toBe(200);
    expect((await hs[0].tact.keys.list()).filter((k) => k.revokedAt === null)).toHaveLength(3);
    for (const h of hs) await h.close();
    for (const s of stores) await s.close();
    await db.drop();
  });

  it('two servers recording conversions of one decision at the same moment count one success between them', async () => {
    const db = await freshPostgresDatabase();
    const stores = await Promise.all([0, 1].map(() => openPostgresStore({ connectionString: db.url, poolSize: 4 })));
    const hs = [];
    for (const s of stores) hs.push(await harness('postgres', { store: s, config: shopConfig() }));
    try {
      await send(hs[0].app, '/v1/identify', { userId: 'ana', context: advertising });
      for (let i = 0; i < 5; i++) {
        const d = (await decideReq(hs[0].app, { subject: 'ana', placement: 'home' })).json();
        // Each server reads "no success yet" for its conversion before the other has written its own.
        const answers = await Promise.all(hs.map((h, k) => post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'conversion', value: 20, messageId: `m-${i}-${k}` })));
        expect(answers.map((r) => r.statusCode)).toEqual([200, 200]);
        const told = answers.flatMap((r) => (r.json().recorded as { success: boolean }[]).map((x) => x.success));
        const logged = await stores[1].decisions.outcomesOf(d.decisionId);
        expect(logged).toHaveLength(2);
        expect(logged.filter((o) => o.success)).toHaveLength(1);
        // The server whose conversion lost said so: one success between the two answers.
        expect(told.filter(Boolean)).toHaveLength(1);
      }
      const counted = await stores[0].decisions.successCounts();
      expect(counted.map((r) => Number(r.n)).reduce((x, y) => x + y, 0)).toBe(5);
    } finally {
      for (const h of hs) await h.close();
      for (const s of stores) await s.close();
      await db.drop();
    }
  });

  it('three ingestors linking the same identities concurrently keep one profile per user', async () => {
    const db = await freshPostgresDatabase();
    const stores = await Promise.all([0, 1, 2].map(() => openPostgresStore({ connectionString: db.url, poolSize: 4 })));
    const hs = [];
    for (const s of stores) hs.push(await harness('postgres', { store: s, config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }] } }));
    const reqs = [];
    for (let i = 0; i < 60; i++) {
      const batch = [];
      for (let k = 0; k < 8; k++) {
        const u = (i + k) % 5;
        batch.push({ type: 'track', anonymousId: `pdev-${u}-${(i + k) % 4}`, event: 'Order Completed' });
        batch.push({ type: 'identify', userId: `puser-${u}`, anonymousId: `pdev-${u}-${(i + k) % 4}` });
      }
      reqs.push(send(hs[i % 3].app, '/v1/batch', { batch }));
    }
    const res = await Promise.all(reqs);
    for (const r of res) expect(r.json(), r.body).toEqual({ success: true });
    let total = 0;
    for (let u = 0; u < 5; u++) {
      const p = (await get(hs[u % 3].app, `/v1/profiles/puser-${u}`)).json();
      for (let d = 0; d < 4; d++) expect((await get(hs[d % 3].app, `/v1/profiles/anonymousId:pdev-${u}-${d}`)).json().id).toBe(p.id);
      expect(p.features.orders.value).toBe(p.events['Order Completed'].count);
      total += p.features.orders.value;
    }
    expect(total).toBe(480);
    for (const h of hs) await h.close();
    for (const s of stores) await s.close();
    await db.drop();
  }, 120_000);
});
