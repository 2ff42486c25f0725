import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, openTestStore } from '../../test/harness.js';

/**
 * Two budgets on one channel with one window: a shared store's exact budget check (PostgreSQL,
 * `decision_budget_use`) keys a window's use by channel, window and window start — not by the
 * budget — so each decision was taken once per budget from the one row, and the budget counted
 * every e-mail twice: a budget of 6 a day sent 3.
 */
const one = { name: 'email budget', channel: 'email', max: 6, window: '1d', borrowAfter: 1 };
const config = (budgets: unknown[]) => ({
  catalog: {
    actions: [{ id: 'spring-sale', name: 'Spring sale', channels: ['email'], value: 10 }],
    placements: [{ id: 'weekly', channel: 'email', slots: 1 }],
  },
  policy: { exploration: { budget: 0 }, contact: { budgets } },
});
const call = (app: FastifyInstance, method: 'POST' | 'PUT', url: string, payload: object, key = KEYS.server) =>
  app.inject({ method, url, headers: { authorization: bearer(key), 'content-type': 'application/json' }, payload });

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function sent(kind: 'sqlite' | 'postgres', budgets: unknown[]) {
  const { store, cleanup } = await openTestStore(kind);
  const h = await harness(kind, { store, config: config(budgets) });
  cleanups.push(async () => (await h.close(), await cleanup()));
  for (let i = 0; i < 10; i++) {
    const r = await call(h.app, 'POST', '/v1/decide', { subject: `reader-${i}`, placement: 'weekly' });
    expect(r.statusCode, r.body).toBe(200);
  }
  return { h, n: (await store.decisions.contactsSince(0)).length };
}

describe('two budgets on one channel with one window', () => {
  // Before the check, on PostgreSQL: three e-mails went out, then every decision for the channel
  // answered 409 ("… 12 attempts in a row"): the process's own count said 3 of 6, the store's 6.
  it.each(['sqlite', 'postgres'] as const)('are refused with a 400 naming both, and one budget a day sends its max exactly (%s)', async (kind) => {
    const { h, n } = await sent(kind, [one]);
    expect(n).toBe(6);
    const put = await call(h.app, 'PUT', '/v1/config/policy', { document: config([one, { ...one, name: 'email day', max: 9, window: '24h' }]).policy, reason: 'a second daily budget' }, KEYS.admin);
    expect(put.statusCode, put.body).toBe(400);
    expect(put.json().message).toContain('The `contact.budgets[1]` limits the channel `email` over the same window as `contact.budgets[0]` (1 day)');
  });

  it('a daily and a weekly budget on one channel each hold (postgres)', async () => {
    expect((await sent('postgres', [one, { ...one, name: 'email week', max: 8, window: '7d' }])).n).toBe(6);
  });
});
