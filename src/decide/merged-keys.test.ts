import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { MergedKeys } from './merged-keys.js';
import { advertising, decideReq, picked, post } from './test-http.js';
import type { MergeRow } from '../profiles/profile-store.js';
import type { ProfileState } from '../profiles/profile-state.js';

const merge = (into: string, from: string): MergeRow => ({ into, from, messageId: 'm', reason: 'identify', viaKind: 'userId', viaValue: 'x', at: 0 });

describe('decisions for a subject whose identities merged', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('follows merge chains (C ← B ← A) and caches per profile version', async () => {
    let reads = 0;
    const rows: Record<string, MergeRow[]> = { C: [merge('C', 'B')], B: [merge('C', 'B'), merge('B', 'A')], A: [merge('B', 'A')] };
    const keys = new MergedKeys({ merges: async (id) => (reads++, rows[id] ?? []) }, () => 1000);
    const state = { id: 'C', version: 3 } as ProfileState;
    expect(await keys.of(state)).toEqual(['B', 'A']);
    const after = reads;
    expect(await keys.of(state)).toEqual(['B', 'A']);
    expect(reads).toBe(after);
    await keys.of({ ...state, version: 4 });
    expect(reads).toBeGreaterThan(after);
  });

  it('reads nothing for a profile whose state says it never absorbed another, and reads once one has', async () => {
    let reads = 0;
    const keys = new MergedKeys({ merges: async () => (reads++, [merge('P', 'Q')]) }, () => 1000);
    expect(await keys.of({ id: 'P', version: 1, absorbed: 0 } as ProfileState)).toEqual([]);
    expect(reads).toBe(0);
    expect(await keys.of({ id: 'P', version: 2, absorbed: 1 } as ProfileState)).toEqual(['Q']);
    const afterAbsorbed = reads;
    expect(afterAbsorbed).toBeGreaterThan(0);
    // a state written before the count was kept is read from the merge records
    expect(await keys.of({ id: 'P', version: 3 } as ProfileState)).toEqual(['Q']);
    expect(reads).toBeGreaterThan(afterAbsorbed);
  });

  it('counts the contacts made before a visitor logged in against the cap, and their outcomes in the personal estimate', async () => {
    h = await harness('sqlite', { config: shopConfig({ contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }] } }) });
    // the customer's profile exists first (merges keep the older profile: the visitor's joins it)
    await send(h.app, '/v1/identify', { userId: 'zoe', traits: { plan: 'free' }, context: advertising });
    // the same person as an anonymous visitor on another device gets two e-mails — the cap
    await send(h.app, '/v1/identify', { anonymousId: 'anon-9', traits: { plan: 'free' }, context: advertising });
    const first = (await decideReq(h.app, { subject: 'anon-9', placement: 'weekly-email' })).json();
    await decideReq(h.app, { subject: 'anon-9', placement: 'weekly-email' });
    expect(first.choices[0].kind).toBe('action');
    // and, on the web, eight offers that each led to a purchase
    let offered = '';
    for (let i = 0; i < 8; i++) {
      const web = (await decideReq(h.app, { subject: 'anon-9', placement: 'home' })).json();
      offered = web.choices[0].action;
      expect((await post(h.app, '/v1/outcomes', { decisionId: web.decisionId, type: 'conversion', value: 60 })).statusCode).toBe(200);
    }
    // the identify that joins them: the visitor's profile merges into the customer's
    await send(h.app, '/v1/identify', { userId: 'zoe', anonymousId: 'anon-9', context: advertising });
    const zoe = await h.store.profiles.findProfileId('userId', 'zoe');
    expect((await h.store.profiles.merges(zoe!)).map((m) => m.into)).toEqual([zoe]);
    expect((await h.store.profiles.getProfile(zoe!))?.absorbed).toBe(1);
    const d = (await decideReq(h.app, { subject: 'zoe', placement: 'weekly-email', explain: 'full' })).json();
    expect(picked(d)).toEqual(['none']);
    expect(d.explanation.excludedByStage['contact policy']).toBeGreaterThanOrEqual(1);
    // what the visitor did is the person's own evidence now
    const web = (await decideReq(h.app, { subject: 'zoe', placement: 'home', explain: 'full' })).json();
    const trace = web.explanation.candidates.find((c: { action: string }) => c.action === offered);
    expect(trace?.estimate).toMatchObject({ source: 'personal' });
    expect(trace.estimate.evidence).toBeGreaterThanOrEqual(8);
  });
});
