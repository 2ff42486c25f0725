import { describe, expect, it } from 'vitest';
import { compileCatalog } from './catalog-compile.js';
import { ContactLedger } from './contact-ledger.js';
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
