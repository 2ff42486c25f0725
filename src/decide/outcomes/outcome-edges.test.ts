import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, openTestStore, send, type Harness, type StoreKind } from '../../../test/harness.js';
import { buildApp } from '../../server/app.js';
import { Tact } from '../../server/tact.js';
import { isRetryableStoreError } from '../../store/open.js';
import type { DecisionRecord } from '../decision.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, picked, post } from '../test-http.js';

const DAY = 86_400_000;
type Logged = { id: string; decisionId: string | null; action: string | null; credit: number; reward: number; success: boolean };

/**
 * The harness with the decisions' clock at `clock.now` (Tact's `now`): decisions made days back, so
 * that their outcomes a window later are in the past — one dated more than a day ahead is refused.
 */
async function clockedHarness(kind: StoreKind, clock: { now: number }): Promise<Harness> {
  const { store, cleanup } = await openTestStore(kind);
  const tact = await Tact.create({
    store, logger: pino({ level: 'silent' }), background: false, isRetryable: isRetryableStoreError, now: () => clock.now,
    configFile: { path: 'test-config', sections: shopConfig() },
  });
  await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
  const app = await buildApp(tact);
  return { store, tact, app, close: async () => (await app.close(), await tact.close(), await cleanup()) };
}

describe.each(['sqlite', 'postgres'] as const)('outcomes at the edges (%s)', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(kind, {
      config: shopConfig({ humanTerritory: [{ name: 'collections', queue: 'debt-collections', when: 'has(traits.segment) && traits.segment == "arrears"' }] }),
    });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
  });
  afterEach(async () => h.close());
  const outcomesOf = async (id: string) => (await get(h.app, `/v1/decisions/${id}`)).json().outcomes as Logged[];

  it('counts one success for a decision when several of its conversions arrive at once', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    const answers = await Promise.all(['o-1', 'o-2', 'o-3'].map((messageId) => post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'conversion', value: 20, messageId })));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const logged = await outcomesOf(d.decisionId);
    expect(logged.map((o) => o.reward)).toEqual([20, 20, 20]);
    expect(logged.filter((o) => o.success)).toHaveLength(1);
    // The estimate has one trial and one success behind it (Beta prior 0.05 × 20, as in outcomes.test.ts).
    const next = (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3, explain: 'full' })).json();
    const shoes = next.explanation.candidates.find((x: { action: string }) => x.action === 'shoes-offer');
    expect(shoes.estimate.evidence).toBe(1);
    expect(shoes.estimate.value).toBeCloseTo((0.05 * 20 + 1) / (20 + 1), 4);
  });

  it('keeps the decision of an outcome reported for a "none" or a handoff, with no action and no success', async () => {
    const none = await harness(kind, { config: shopConfig({ noneScore: 1000 }) });
    try {
      await send(none.app, '/v1/identify', { userId: 'bo', context: advertising });
      const d = (await decideReq(none.app, { subject: 'bo', placement: 'home' })).json();
      expect(picked(d)).toEqual(['none']);
      const r = await post(none.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'conversion', value: 30, messageId: 'o-none' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().recorded).toMatchObject([{ decisionId: d.decisionId, action: null, credit: 1, reward: 30, success: false }]);
      expect((await get(none.app, `/v1/decisions/${d.decisionId}`)).json().outcomes).toMatchObject([{ id: 'o-none', decisionId: d.decisionId, action: null }]);
    } finally {
      await none.close();
    }
    await send(h.app, '/v1/identify', { userId: 'cy', traits: { segment: 'arrears' } });
    const handoff = (await decideReq(h.app, { subject: 'cy', placement: 'home' })).json();
    expect(picked(handoff)).toEqual(['handoff']);
    const r = await post(h.app, '/v1/outcomes', { decisionId: handoff.decisionId, type: 'complaint', messageId: 'o-handoff' });
    expect(r.json().recorded).toMatchObject([{ decisionId: handoff.decisionId, action: null, credit: 1, reward: -20, success: false }]);
    // Outside the policy's window (7 days) such an outcome is the subject's, credited to no decision.
    // (A handoff logged eight days ago: a week after it is in the past.)
    const old = (await h.store.decisions.getDecision(handoff.decisionId)) as DecisionRecord;
    await h.store.decisions.appendDecision({ ...old, id: 'd-old-handoff', at: old.at - 8 * DAY });
    const late = await post(h.app, '/v1/outcomes', { decisionId: 'd-old-handoff', type: 'complaint', messageId: 'o-late', timestamp: new Date(old.at - DAY + 1).toISOString() });
    expect(late.json().recorded).toMatchObject([{ decisionId: null, credit: 0, reward: -20 }]);
  });

  it('credits a purchase naming a decision older than the window to the subject\'s own decisions within it', async () => {
    const key = (await get(h.app, '/v1/profiles/ana')).json().id as string;
    const old: DecisionRecord = {
      id: 'd-old-email', at: Date.now() - 10 * DAY, profileKey: key, subject: 'ana', placement: 'weekly-email', channel: 'email', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
      choices: [{ rank: 1, kind: 'action', action: 'socks-offer', score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    };
    await h.store.decisions.appendDecision(old);
    const recent = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'order-late', properties: { revenue: 40, decision_id: 'd-old-email' } });
    await h.tact.consumers.runAll();
    expect(await outcomesOf('d-old-email')).toEqual([]);
    expect((await outcomesOf(recent.decisionId)).map((o) => [o.id, o.credit, o.reward, o.success])).toEqual([['order-late', 1, 40, true]]);
  });

  it('credits an outcome exactly one window after its decision, and not a millisecond later', async () => {
    const clock = { now: Date.now() - 8 * DAY };
    const h = await clockedHarness(kind, clock);
    try {
      await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
      const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
      const at = Date.parse((await get(h.app, `/v1/decisions/${d.decisionId}`)).json().at);
      expect(at).toBe(clock.now);
      const report = async (messageId: string, t: number, by: 'subject' | 'decisionId') =>
        ((await post(h.app, '/v1/outcomes', { ...(by === 'subject' ? { subject: 'ana' } : { decisionId: d.decisionId }), type: 'click', messageId, timestamp: new Date(t).toISOString() })).json().recorded as Logged[])[0].decisionId;
      expect(await report('edge-s', at + 7 * DAY, 'subject')).toBe(d.decisionId);
      expect(await report('past-s', at + 7 * DAY + 1, 'subject')).toBeNull();
      expect(await report('edge-d', at + 7 * DAY, 'decisionId')).toBe(d.decisionId);
      expect(await report('past-d', at + 7 * DAY + 1, 'decisionId')).toBeNull();
      // The same from the log once the state let go of the contact.
      h.tact.decide.state.prune(Date.now() + 3_600_000);
      expect(await report('edge-log', at + 7 * DAY, 'subject')).toBe(d.decisionId);
      expect(await report('past-log', at + 7 * DAY + 1, 'subject')).toBeNull();
    } finally {
      await h.close();
    }
  });

  it('refuses an empty or overlong messageId, an overlong subject and an unknown decisionId, naming the field, the same on both stores', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    // Random text (PostgreSQL compresses a repeated one below its index's row limit).
    const long = (n: number) => randomBytes(n / 2).toString('hex');
    for (const [body, field] of [
      [{ decisionId: d.decisionId, type: 'click', messageId: '' }, 'messageId'],
      [{ decisionId: d.decisionId, type: 'click', messageId: long(8000) }, 'messageId'],
      [{ subject: long(8000), type: 'click' }, 'subject'],
    ] as const) {
      const r = await post(h.app, '/v1/outcomes', body);
      expect(r.statusCode, r.body.slice(0, 200)).toBe(400);
      expect(r.json().problems[0].field).toBe(field);
    }
    expect(await outcomesOf(d.decisionId)).toEqual([]);
    expect((await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', messageId: 'm'.repeat(200) })).statusCode).toBe(200);
    // A decision the log does not have (never made, or past the retention) is named as the field.
    const unknown = await post(h.app, '/v1/outcomes', { decisionId: 'd-never', type: 'click' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().problems).toMatchObject([{ field: 'decisionId' }]);
  });
});
