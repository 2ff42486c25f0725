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

describe('DecideState.sync: another process\'s successes', () => {
  it('teach the delay from choice to success, from the decision\'s logged time, and credit its groups', async () => {
    // Until 2026-12-06 only this process's own successes taught the delay (the recorder knows its
    // decision's time): on several servers with one consuming the tracked events, the others learned
    // none until a restart, and read every open choice as a failure while the consumer did not.
    const H = 3_600_000;
    const t0 = 1_000 * H;
    const state = new DecideState(DAY, true);
    const log = fakeDecisionLog();
    const logged = new Map([['d1', { id: 'd1', at: t0 - 5 * H, segment: 'vip', microSegment: null, microSegmentModel: null }], ['d2', { id: 'd2', at: t0 - 2 * H, segment: null, microSegment: null, microSegmentModel: null }]]);
    const asked: string[][] = [];
    const store = { ...log.store, positionsOf: async (ids: readonly string[]) => (asked.push([...ids]), ids.flatMap((id) => logged.get(id) ?? [])) } as DecisionStore;
    await state.sync(store, () => [], t0);
    const success = (id: string, decisionId: string, at: number) => ({ id, at, profileKey: `p-${decisionId}`, type: 'conversion', value: null, decisionId, action: 'promo', credit: 1, reward: 1, success: true, source: 'event' as const });
    log.outcomes.push(success('o1', 'd1', t0 + 1_000), success('o2', 'd2', t0 + 2_000), { ...success('o3', 'd1', t0 + 3_000), type: 'click', success: false });
    await state.sync(store, () => [], t0 + 10_000);
    // The successes only are looked up, once each.
    expect(asked).toEqual([['d1', 'd2']]);
    expect(state.counts.delays.held('promo').sort((a, b) => a.decidedAt - b.decidedAt)).toEqual([
      { decidedAt: t0 - 5 * H, delayMs: 5 * H },
      { decidedAt: t0 - 2 * H, delayMs: 2 * H },
    ]);
    // The decision's group is credited, as before.
    expect(state.counts.group('promo', 'segment:vip')).toMatchObject({ successes: 1 });
  });
});
