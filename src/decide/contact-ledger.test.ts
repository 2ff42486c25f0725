import { describe, expect, it } from 'vitest';
import { compileCatalog } from './catalog-compile.js';
import { ContactLedger } from './contact-ledger.js';
import { DecideState } from './decide-state.js';
import type { DecisionStore } from './decision-store.js';
import { playbookFor } from './playbook.js';
import { compilePolicy } from './policy-compile.js';

const DAY = 86_400_000;
const T = Date.parse('2026-06-10T12:00:00Z');

describe('contact ledger windows', () => {
  it('keeps contacts for the contact window and dismissals for their own', () => {
    const ledger = new ContactLedger(7 * DAY, 30 * DAY);
    ledger.record('p1', { at: T - 10 * DAY, action: 'promo', channel: 'email', topics: [], decisionId: 'd1' });
    ledger.dismiss('p1', T - 10 * DAY, 'promo');
    ledger.record('p1', { at: T - 2 * DAY, action: 'digest', channel: 'email', topics: [], decisionId: 'd2' });
    ledger.dismiss('p1', T - 2 * DAY, 'digest');
    ledger.prune(T);
    expect(ledger.view('p1').contacts.map((c) => c.decisionId)).toEqual(['d2']);
    expect(ledger.view('p1').dismissals.map((d) => d.action)).toEqual(['promo', 'digest']);
    ledger.prune(T + 25 * DAY); // the digest's dismissal is 27 days old: still counted
    expect(ledger.view('p1').dismissals.map((d) => d.action)).toEqual(['digest']);
    ledger.prune(T + 29 * DAY);
    expect(ledger.size).toBe(0);
  });

  it('the contact window is the longest cap, budget or attribution window — not the 30-day look-back', () => {
    const catalog = compileCatalog({ actions: [{ id: 'promo', name: 'Promo', channels: ['email'] }, { id: 'renewal', name: 'Renewal', channels: ['email'], attributionWindow: '14d' }], placements: [{ id: 'mail', channel: 'email' }] });
    const plain = compilePolicy({ contact: { caps: [{ channel: 'email', max: 3, window: '1d' }], dismissals: { count: 3, window: '30d' } } });
    expect(plain.lookbackMs).toBe(30 * DAY);
    expect(playbookFor(compileCatalog({ actions: [{ id: 'promo', name: 'Promo', channels: ['email'] }], placements: [{ id: 'mail', channel: 'email' }] }), plain, 1, 1).contactWindowMs).toBe(7 * DAY);
    expect(playbookFor(catalog, plain, 1, 1).contactWindowMs).toBe(14 * DAY);
    const longCap = compilePolicy({ contact: { caps: [{ channel: 'email', max: 10, window: '21d' }] }, outcomes: { attribution: { window: '3d' } } });
    expect(playbookFor(catalog, longCap, 1, 1).contactWindowMs).toBe(21 * DAY);
  });
});

describe('a widened contact window', () => {
  // The decision log as the state reads it: two e-mails to p1, 10 and 2 days before T.
  const logged = [
    { profileKey: 'p1', at: T - 10 * DAY, action: 'promo', channel: 'email', decisionId: 'd-old' },
    { profileKey: 'p1', at: T - 2 * DAY, action: 'promo', channel: 'email', decisionId: 'd-new' },
  ];
  const log = {
    contactsSince: async (since: number) => logged.filter((c) => c.at >= since),
    trialCounts: async () => [], successCounts: async () => [], groupCounts: async () => [],
    outcomesSince: async () => [], openFlags: async () => [], liveHolds: async () => [],
  } as unknown as DecisionStore;
  const held = (s: DecideState) => s.ledger.view('p1').contacts.map((c) => c.decisionId);

  it('reads from the log the contacts the ledger no longer holds, once', async () => {
    const state = new DecideState(30 * DAY);
    state.setLookback(30 * DAY, 7 * DAY, T);
    await state.rebuild(log, () => [], T);
    expect(held(state)).toEqual(['d-new']);
    // A 30-day cap is added: the 10-day-old e-mail counts again.
    state.setLookback(30 * DAY, 30 * DAY, T);
    expect(await state.widenContacts(log, () => [], T)).toBe(1);
    expect(held(state)).toEqual(['d-old', 'd-new']);
    expect(await state.widenContacts(log, () => [], T)).toBe(0);
    // Narrowed, then widened again: what the narrow window let go is read again.
    state.setLookback(30 * DAY, 7 * DAY, T);
    state.ledger.prune(T);
    expect(held(state)).toEqual(['d-new']);
    state.setLookback(30 * DAY, 30 * DAY, T);
    expect(await state.widenContacts(log, () => [], T)).toBe(1);
    expect(held(state)).toEqual(['d-old', 'd-new']);
  });
});
