import { describe, expect, it } from 'vitest';
import { DecideState } from './decide-state.js';
import type { ContactRow } from './records.js';

const DAY = 86_400_000;

/** A log whose `anonymousKeys` answers when told, recording what it was asked. */
function slowLog(keys: string[] = []) {
  const asked: [number, number][] = [];
  const answers: (() => void)[] = [];
  return {
    asked,
    answerAll: () => answers.splice(0).forEach((f) => f()),
    store: {
      anonymousKeys: (from: number, to: number) => {
        asked.push([from, to]);
        return new Promise<string[]>((resolve) => answers.push(() => resolve(keys)));
      },
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('DecideState.anonymousUnheld: whether an outcome takes every `anon:` key of its subject', () => {
  it('never on one process (SQLite): the ledger holds every such key there is, and the log is not asked', async () => {
    const state = new DecideState(30 * DAY, false);
    const log = slowLog(['anon:v-1']);
    expect(await state.anonymousUnheld(log.store)).toBe(false);
    expect(log.asked).toEqual([]);
  });

  it('on a shared store, asks the log for the `anon:` keys decided for since the last sync (5 s margin), one check for the calls made while one is in flight', async () => {
    const state = new DecideState(30 * DAY, true);
    const log = slowLog();
    const first = state.anonymousUnheld(log.store);
    // Made while the first check is in flight, which may have missed what was logged since: they share the next one.
    const second = state.anonymousUnheld(log.store);
    const third = state.anonymousUnheld(log.store);
    expect(log.asked).toEqual([[-5_000, Number.MAX_SAFE_INTEGER]]);
    log.answerAll();
    expect(await first).toBe(false);
    await tick();
    expect(log.asked).toHaveLength(2);
    log.answerAll();
    expect([await second, await third]).toEqual([false, false]);
    expect(log.asked).toHaveLength(2);
  });

  it('says yes without asking while the ledger holds anonymous history, or once a check found some, until a sync folds it in', async () => {
    const state = new DecideState(30 * DAY, true);
    const found = slowLog(['anon:v-1']);
    const asking = state.anonymousUnheld(found.store);
    found.answerAll();
    expect(await asking).toBe(true);
    expect(await state.anonymousUnheld(found.store)).toBe(true);
    expect(found.asked).toHaveLength(1);
    // The sync folds the other process's decision in: the ledger holds it (and the check's answer is let go).
    const now = Date.now();
    const contact: ContactRow = { decisionId: 'd1', at: now - 1000, profileKey: 'anon:v-1', action: 'promo', channel: 'web', placement: 'home' };
    const log = { contactsSince: async () => [contact], outcomesSince: async () => [], openFlags: async () => [], liveHolds: async () => [], positionsOf: async () => [] };
    await state.sync(log as never, () => [], now);
    expect(state.ledger.hasAnonymous).toBe(true);
    const none = slowLog();
    expect(await state.anonymousUnheld(none.store)).toBe(true);
    expect(none.asked).toEqual([]);
  });

  it('asks from 5 s before the last sync that folded the contacts in', async () => {
    const state = new DecideState(30 * DAY, true);
    const log = { contactsSince: async () => [], outcomesSince: async () => [], openFlags: async () => [], liveHolds: async () => [], positionsOf: async () => [] };
    await state.sync(log as never, () => [], 1_000_000);
    const none = slowLog();
    const asking = state.anonymousUnheld(none.store);
    none.answerAll();
    expect(await asking).toBe(false);
    expect(none.asked).toEqual([[995_000, Number.MAX_SAFE_INTEGER]]);
  });
});

describe('DecideState.anonymousHeldFrom: since when every `anon:` key decided for is held', () => {
  const emptyLog = { groupCounts: async () => [], trialCounts: async () => [], successCounts: async () => [], anyContact: async () => false, contactsSince: async () => [], outcomesSince: async () => [], openFlags: async () => [], liveHolds: async () => [] };

  it('is the contact window of the start, then of each pruning (a key whose contacts are all older may be let go)', async () => {
    const state = new DecideState(30 * DAY, false, 7 * DAY);
    expect(state.anonymousHeldFrom).toBe(-Infinity); // not rebuilt: nothing let go
    await state.rebuild(emptyLog as never, () => [], 100 * DAY);
    expect(state.anonymousHeldFrom).toBe(93 * DAY);
    state.prune(101 * DAY);
    expect(state.anonymousHeldFrom).toBe(94 * DAY);
    state.pruneSome(102 * DAY);
    expect(state.anonymousHeldFrom).toBe(95 * DAY);
    // A pruning with an earlier clock lets nothing newer go, and takes nothing back.
    state.prune(101 * DAY);
    expect(state.anonymousHeldFrom).toBe(95 * DAY);
  });
});
