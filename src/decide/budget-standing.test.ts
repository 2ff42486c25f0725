import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import type { StageContext } from './stages/types.js';
import { budgetStanding, budgetStands } from './stages/contact-policy.js';
import { advertising } from './test-http.js';

/**
 * On one process, a decision logs only on the budgets it was made on (decider.ts `write`): the
 * pipeline read the channel's use, and a decision for another subject may have taken from it
 * before this one reserved its contacts. Its own contact may still fit while another action's
 * fair share is used up meanwhile — that action is then no longer drawn, so the draw's
 * propensities would be those of a view no longer true: the decision is made again, in the turn
 * that reserves its contacts (so no other decision can move the budgets between the two).
 */
const config = {
  catalog: {
    actions: [
      { id: 'em-a', name: 'Email A', channels: ['email'], purpose: 'Advertising', value: 50, topics: ['marketing'] },
      { id: 'em-b', name: 'Email B', channels: ['email'], purpose: 'Advertising', value: 40, topics: ['marketing'] },
    ],
    placements: [{ id: 'email-slot', name: 'Email', channel: 'email', slots: 1 }],
  },
  policy: {
    exploration: { budget: 0.2 },
    contact: { budgets: [{ name: 'email budget', channel: 'email', max: 8, window: '7d', borrowAfter: 1 }] },
  },
};

let h: Harness;
afterEach(async () => h?.close());

/** Another subject's e-mails of `action`, reserved in the ledger as its decisions would be. */
function others(action: string, n: number): void {
  for (let i = 0; i < n; i++) h.tact.decide.state.ledger.record(`other-${action}-${i}`, { at: Date.now(), action, channel: 'email', topics: ['marketing'], decisionId: `d-${action}-${i}` });
}

describe('a decision and the budgets it was made on (one process)', () => {
  it('is made again when an action used its fair share after the pipeline ran, though its own contact still fits', async () => {
    h = await harness('sqlite', { config, random: () => 0.99 });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    const decider = h.tact.decide.decider;
    const p = await decider.prepare({ subject: 'ana', placement: 'email-slot' });
    expect(p.record.choices[0]).toMatchObject({ action: 'em-a', propensity: 0.8 + 0.2 / 3 }); // em-a, em-b and "none" drawn from
    others('em-b', 4); // em-b's share: 4 of 8
    // Made again as it is logged: drawn from em-a and "none" only.
    const logged = await decider.commit(p);
    expect(logged.id).not.toBe(p.record.id);
    expect(logged.choices[0]).toMatchObject({ action: 'em-a', propensity: 0.8 + 0.2 / 2 });
    expect(logged.excluded.flatMap((x) => x.actions)).toContain('em-b');
    expect((await h.store.decisions.contactsSince(0)).map((c) => c.decisionId)).toEqual([logged.id]);
  });

  it('is made again when the budget was spent meanwhile, and logged as it was made when nothing it stands on changed', async () => {
    h = await harness('sqlite', { config, random: () => 0.99 });
    for (const userId of ['ana', 'bo']) await send(h.app, '/v1/identify', { userId, context: advertising });
    const decider = h.tact.decide.decider;
    const ana = await decider.prepare({ subject: 'ana', placement: 'email-slot' });
    others('em-b', 3); // em-b 3 of its 4: the standing is the same
    expect((await decider.commit(ana)).id).toBe(ana.record.id);
    const bo = await decider.prepare({ subject: 'bo', placement: 'email-slot' });
    others('em-a', 3); // with ana's, em-a 4 of its 4
    others('em-b', 1); // em-b 4 of its 4: the budget of 8 is spent
    expect((await decider.commit(bo)).choices[0].kind).toBe('none');
    expect((await h.store.decisions.contactsSince(0)).length).toBe(1);
  });
});

describe('budgetStanding', () => {
  /** 65 candidates (three words of share bits) under one budget of 130, 2 each; `used` by action. */
  function at(used: Record<string, number>, total: number, opts: { slots?: number; elapsed?: number } = {}) {
    const candidates = Array.from({ length: 65 }, (_, i) => ({ id: `a${i}`, budgetWeight: 1 }));
    const budget = { name: 'b', channel: 'email', max: 130, windowMs: 1000, borrowAfter: 0.8 };
    const use = { channel: 'email', windowStart: 0, total, byAction: new Map(Object.entries(used)) };
    return {
      now: opts.elapsed ?? 100, policy: { budgets: [budget, { ...budget, channel: 'sms' }] }, placement: { channel: 'email', slots: opts.slots ?? 3, candidates },
      contacts: { budgetUse: () => use }, budgetWeights: new Map([['email', 65]]),
    } as unknown as StageContext;
  }

  it('is the room (up to the slots) × 2, + 1 while fair shares apply, then a bit per candidate that used its share', () => {
    expect(budgetStanding(at({}, 0))).toEqual([7, 0, 0, 0]);
    expect(budgetStanding(at({ a1: 2, a2: 1, a31: 2, a64: 3 }, 128))).toEqual([5, 0b10, 0b10, 0b10000]); // a31 is bit 1 of the second word, a64 bit 4 of the third
    expect(budgetStanding(at({}, 130))).toEqual([1, 0, 0, 0]); // spent
    expect(budgetStanding(at({ a1: 2 }, 2, { elapsed: 900 }))).toEqual([6]); // open to borrowing: no shares
    expect(budgetStanding({ ...at({}, 0), placement: { channel: 'push', slots: 1, candidates: [] } } as unknown as StageContext)).toEqual([]); // no budget on the channel
  });

  it('stands while nothing it says changed, and not once a share bit or the room did', () => {
    const seen = budgetStanding(at({ a40: 1 }, 10));
    expect(budgetStands(at({ a40: 1, a3: 1 }, 11), seen)).toBe(true); // a3 1 of 2: the same verdicts
    expect(budgetStands(at({ a40: 2 }, 11), seen)).toBe(false); // a40 used its share
    expect(budgetStands(at({ a40: 1 }, 128), seen)).toBe(false); // room for 2, not 3
    expect(budgetStands(at({ a40: 1 }, 10, { elapsed: 900 }), seen)).toBe(false); // shares no longer apply
    expect(budgetStands(at({ a40: 1 }, 10), [...seen, 0])).toBe(false); // of another length
  });
});
