import { describe, expect, it } from 'vitest';
import { DecideState } from './decide-state.js';
import { fakeDecisionLog } from './decision-log-fake.js';
import type { DecisionStore } from './decision-store.js';

const DAY = 86_400_000;

describe('DecideState.sync on a shared store', () => {
  it('reads again, after syncs that failed (the database out of reach for ten seconds), what was logged since the last one that did not', async () => {
    const state = new DecideState(DAY, true);
    const log = fakeDecisionLog();
    let down = false;
    const store = { ...log.store, contactsSince: (at: number, before?: number) => (down ? Promise.reject(new Error('connection terminated')) : log.store.contactsSince(at, before)) } as DecisionStore;
    const t0 = 1_000_000_000;
    await state.sync(store, () => [], t0);
    // Another process logs a contact; then every sync fails for ten seconds.
    log.contacts.push({ profileKey: 'p1', at: t0 + 1_000, action: 'promo', channel: 'email', decisionId: 'd1' });
    down = true;
    for (let s = 2; s <= 10; s++) await expect(state.sync(store, () => [], t0 + s * 1_000)).rejects.toThrow('connection terminated');
    down = false;
    await state.sync(store, () => [], t0 + 11_000);
    expect(state.ledger.view('p1').list().map((c) => c.decisionId)).toEqual(['d1']);
  });
});
