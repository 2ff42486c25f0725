import { describe, expect, it } from 'vitest';
import { get, send, twoHarnesses } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { shopConfig } from '../../decide/fixtures.js';
import { advertising, decideReq, post } from '../../decide/test-http.js';

// Two dismissals of an action within the hour: it is not offered again (docs/decisions.md).
const config = () => shopConfig({ contact: { dismissals: { count: 2, window: '1h' } } });

function homeRecord(id: string, at: number, profileKey: string, subject: string): DecisionRecord {
  return {
    id, at, profileKey, subject, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
    choices: [{ rank: 1, kind: 'action', action: 'shoes-offer', score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

const shoes = (d: { explanation: { candidates: { action: string }[] } }) => d.explanation.candidates.find((c) => c.action === 'shoes-offer');

/**
 * Outcomes reported late — dated a minute or more before they reach the log — on a store several
 * processes share: each process folds them in, whatever their time (PostgreSQL only).
 */
export function decideLateOutcomesConformance(): void {
  decideLateContactsConformance();
  describe('late-dated outcomes with several processes on one PostgreSQL', () => {
    it('a dismissal dated 70 s back, recorded through one process, is folded in by the other at its next sync and checked by its guarded append', async () => {
      const { a, b, close } = await twoHarnesses('postgres', { config: config() });
      try {
        for (const userId of ['ana', 'bob']) await send(a.app, '/v1/identify', { userId, context: advertising });
        const keyOf = async (s: string) => (await get(a.app, `/v1/profiles/${s}`)).json().id as string;
        const [ana, bob] = [await keyOf('ana'), await keyOf('bob')];

        // Ana: two decisions 70 s ago; both dismissed now, each dated a second after its decision (the QA's case).
        const at = Date.now() - 70_000;
        for (const id of ['d-ana-1', 'd-ana-2']) await a.store.decisions.appendDecision(homeRecord(id, at, ana, 'ana'));
        for (const id of ['d-ana-1', 'd-ana-2']) {
          const r = await post(a.app, '/v1/outcomes', { decisionId: id, type: 'dismissal', messageId: `x-${id}`, timestamp: new Date(at + 1_000).toISOString() });
          expect(r.statusCode).toBe(200);
        }
        expect(a.tact.decide.state.ledger.view(ana).dismissals.filter((d) => d.action === 'shoes-offer')).toHaveLength(2);
        // B's next sync folds them in: its ledger holds both (a read by the outcomes' own time passed them for good).
        await b.tact.decide.sync();
        expect(b.tact.decide.state.ledger.view(ana).dismissals.filter((d) => d.action === 'shoes-offer').map((d) => d.at)).toEqual([at + 1_000, at + 1_000]);
        const anaOnB = (await decideReq(b.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
        expect(shoes(anaOnB)).toMatchObject({ stage: 'contact policy', rule: 'dismissals' });

        // Bob: shown the shoes eleven minutes ago, dismissed by subject and action, dated ten minutes back
        // (credited to that decision), and B decides before any sync: its guarded append finds the rows
        // written since its last sync, whatever their time.
        await a.store.decisions.appendDecision(homeRecord('d-bob', Date.now() - 660_000, bob, 'bob'));
        for (const n of [1, 2]) {
          const r = await post(a.app, '/v1/outcomes', { subject: 'bob', action: 'shoes-offer', type: 'dismissal', messageId: `x-bob-${n}`, timestamp: new Date(Date.now() - 600_000).toISOString() });
          expect(r.statusCode).toBe(200);
        }
        const bobOnB = (await decideReq(b.app, { subject: 'bob', placement: 'home', explain: 'full' })).json();
        expect(shoes(bobOnB)).toMatchObject({ stage: 'contact policy', rule: 'dismissals' });
        expect(b.tact.decide.state.ledger.view(bob).dismissals.filter((d) => d.action === 'shoes-offer')).toHaveLength(2);

        // Read again by the syncs that follow (their 5 s margin), they are taken once.
        await b.tact.decide.sync();
        await b.tact.decide.sync();
        expect(b.tact.decide.state.ledger.view(ana).dismissals).toHaveLength(2);
        expect(b.tact.decide.state.ledger.view(bob).dismissals).toHaveLength(2);
      } finally {
        await close();
      }
    });
  });
}

/** One web contact a day: a second one for a subject is over the cap. */
const capConfig = () => shopConfig({ contact: { caps: [{ name: 'web cap', channel: 'web', max: 1, window: '1d' }] } });

/**
 * Decisions committed late — written to the log well after their own time (lock waits, a slow
 * transaction, a server whose clock is behind) — on a store several processes share: each process
 * folds their contacts in, whatever their time (PostgreSQL only).
 */
export function decideLateContactsConformance(): void {
  describe('late-committed decisions with several processes on one PostgreSQL', () => {
    it('a contact dated 30 s back, logged through one process, is folded in by the other at its next sync, and one 90 s back is found by its guarded append: the cap holds', async () => {
      const { a, b, close } = await twoHarnesses('postgres', { config: capConfig() });
      try {
        for (const userId of ['ana', 'bob']) await send(a.app, '/v1/identify', { userId, context: advertising });
        const keyOf = async (s: string) => (await get(a.app, `/v1/profiles/${s}`)).json().id as string;
        const [ana, bob] = [await keyOf('ana'), await keyOf('bob')];

        // Ana: a decision made 30 s ago and committed only now (through A's store, as a slow commit would).
        await a.store.decisions.appendDecision(homeRecord('d-ana', Date.now() - 30_000, ana, 'ana'));
        // B's next sync folds it in (a read by the decisions' own time, 5 s back, passed it for good).
        await b.tact.decide.sync();
        expect(b.tact.decide.state.ledger.view(ana).list().map((c) => c.decisionId)).toEqual(['d-ana']);
        const anaOnB = (await decideReq(b.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
        expect(shoes(anaOnB)).toMatchObject({ stage: 'contact policy', rule: 'web cap' });

        // Bob: one dated 90 s back, and B decides before any sync: its guarded append (a minute back by
        // time) finds the decisions written since its last sync, whatever their time.
        await a.store.decisions.appendDecision(homeRecord('d-bob', Date.now() - 90_000, bob, 'bob'));
        const bobOnB = (await decideReq(b.app, { subject: 'bob', placement: 'home', explain: 'full' })).json();
        expect(shoes(bobOnB)).toMatchObject({ stage: 'contact policy', rule: 'web cap' });
        expect(b.tact.decide.state.ledger.view(bob).list().map((c) => c.decisionId)).toEqual(['d-bob']);

        // Read again by the syncs that follow (their 5 s margin), they are taken once.
        await b.tact.decide.sync();
        await b.tact.decide.sync();
        expect(b.tact.decide.state.ledger.view(ana).list().map((c) => c.decisionId)).toEqual(['d-ana']);
        expect(b.tact.decide.state.ledger.view(bob).list().map((c) => c.decisionId)).toEqual(['d-bob']);
        expect((await b.store.decisions.contactsSince(0)).map((c) => c.decisionId)).toEqual(['d-bob', 'd-ana']);
      } finally {
        await close();
      }
    });
  });
}
