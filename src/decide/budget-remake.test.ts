import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { advertising } from './test-http.js';

/**
 * Many decisions at once on one process (SQLite) under a budget whose fair shares fill at every
 * contact: 40 actions, a budget of 40, a share of 1 each. Every reservation changes the standing
 * of every other decision in flight (decider.ts `write`), so a decision made again from the start
 * ran its pipeline beside the others again and could lose again: 28 of 3,000 decisions 32 at a time
 * lost 12 times and failed with 409 conflict (2026-12-06). Made again in the turn that reserves,
 * each decision is made from the start once, and the budget and shares still hold exactly.
 */
const ACTIONS = 40;
const config = {
  catalog: {
    actions: Array.from({ length: ACTIONS }, (_, i) => ({ id: `em-${i}`, name: `Email ${i}`, channels: ['email'], purpose: 'Advertising', value: 50 + i, topics: ['marketing'] })),
    placements: [{ id: 'email-slot', name: 'Email', channel: 'email', slots: 1 }],
  },
  policy: {
    exploration: { budget: 0.2 },
    contact: { budgets: [{ name: 'email budget', channel: 'email', max: ACTIONS, window: '7d', borrowAfter: 1 }] },
  },
};

let h: Harness;
afterEach(async () => h?.close());

describe('decisions at once under a budget whose shares fill at every contact (one process)', () => {
  it('all complete, each made from the start once, within the budget and every share', async () => {
    const n = 200;
    h = await harness('sqlite', { config });
    await send(h.app, '/v1/batch', { batch: Array.from({ length: n }, (_, i) => ({ type: 'identify', userId: `x${i}`, context: advertising })) });
    await h.tact.consumers.runAll();
    const decider = h.tact.decide.decider;
    const prepare = decider.prepare.bind(decider);
    let made = 0;
    decider.prepare = (...a) => (made++, prepare(...a));
    const answers = await Promise.allSettled(Array.from({ length: n }, (_, i) => decider.decide({ subject: `x${i}`, placement: 'email-slot' })));
    expect(answers.filter((a) => a.status === 'rejected').length).toBe(0);
    expect(made).toBe(n);
    const by = new Map<string, number>();
    for (const c of await h.store.decisions.contactsSince(0)) by.set(c.action, (by.get(c.action) ?? 0) + 1);
    expect(by.size).toBe(ACTIONS); // the budget of 40, one e-mail per action: each its share of 1
    expect(Math.max(...by.values())).toBe(1);
  });
});
