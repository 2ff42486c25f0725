import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, openTestStore, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { DecisionRecord } from '../decision.js';
import { post } from '../test-http.js';

/**
 * A late outcome (an offline app's event, an import of past orders) for a subject decided for
 * before it had a profile: the decision is under `anon:<identifier>`, older than the contact window
 * of now, so the decision state no longer holds the key — but the outcome's timestamp lies within
 * the decision's attribution window, and the decision is the profile's. Until 2026-12-05 the key
 * counted as the profile's only while the state held it: the outcome was stored with no decision
 * and no credit (an identified subject's was credited, its decisions being under its own key).
 */
const DAY = 86_400_000;

const config = {
  catalog: {
    actions: [{ id: 'offer-a', name: 'Offer A', channels: ['email'], value: 20 }],
    placements: [{ id: 'weekly-email', channel: 'email', slots: 1 }],
  },
  policy: {
    exploration: { budget: 0 },
    outcomes: { events: { 'Order Completed': { type: 'conversion', value: 'revenue' } }, attribution: { window: '7d', model: 'last' } },
  },
};

/** The decision the decider logged for a subject with no profile, `at` (eight days ago). */
function anonymousDecision(id: string, subject: string, at: number): DecisionRecord {
  return {
    id, at, profileKey: `anon:${subject}`, subject, placement: 'weekly-email', channel: 'email', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
    arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'offer-a', score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

describe.each(['sqlite', 'postgres'] as StoreKind[])('a late outcome of a decision made while the subject was anonymous (%s)', (kind) => {
  let h: Harness | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await h?.close();
    await cleanup?.();
    h = undefined;
    cleanup = undefined;
  });

  /** A server started on a log that holds an eight-day-old decision for `anon:ghost10` (what a restart reads). */
  async function startedAfter(decidedAt: number): Promise<Harness> {
    const opened = await openTestStore(kind);
    cleanup = opened.cleanup;
    await opened.store.decisions.appendDecision(anonymousDecision('d-ghost', 'ghost10', decidedAt));
    h = await harness(kind, { store: opened.store, config });
    // The contact window (7 d, the attribution window) of now no longer reaches the decision: the key is not held.
    expect(h.tact.decide.state.ledger.has('anon:ghost10')).toBe(false);
    return h;
  }

  it('credits it over the API, within the decision’s window though older than the contact window of now', async () => {
    const decidedAt = Date.now() - 8 * DAY;
    const h = await startedAfter(decidedAt);
    expect((await send(h.app, '/v1/identify', { userId: 'ghost10' })).statusCode).toBe(200);
    const r = await post(h.app, '/v1/outcomes', { subject: 'ghost10', type: 'conversion', value: 41, timestamp: new Date(decidedAt + DAY).toISOString() });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().recorded).toMatchObject([{ decisionId: 'd-ghost', action: 'offer-a', credit: 1, reward: 41, success: true }]);
    // The decision is the profile's, as GET /v1/decisions?subject= lists it.
    expect((await get(h.app, '/v1/decisions?subject=ghost10')).json().decisions.map((d: { decisionId: string }) => d.decisionId)).toEqual(['d-ghost']);
  });

  it('credits a tracked Order Completed the same', async () => {
    const decidedAt = Date.now() - 8 * DAY;
    const h = await startedAfter(decidedAt);
    await send(h.app, '/v1/identify', { userId: 'ghost10' });
    await send(h.app, '/v1/track', { userId: 'ghost10', event: 'Order Completed', messageId: 'late-order', timestamp: new Date(decidedAt + DAY).toISOString(), properties: { revenue: 41 } });
    await h.tact.consumers.runAll();
    expect(await h.store.decisions.outcomesOf('d-ghost')).toMatchObject([{ id: 'late-order', action: 'offer-a', credit: 1, success: true, value: 41 }]);
  });

  it('credits nothing past the decision’s window', async () => {
    const decidedAt = Date.now() - 8 * DAY;
    const h = await startedAfter(decidedAt);
    await send(h.app, '/v1/identify', { userId: 'ghost10' });
    const r = await post(h.app, '/v1/outcomes', { subject: 'ghost10', type: 'conversion', value: 41, timestamp: new Date(decidedAt + 7 * DAY + 60_000).toISOString() });
    expect(r.json().recorded).toMatchObject([{ decisionId: null, credit: 0 }]);
  });
});
