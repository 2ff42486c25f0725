import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, openTestStore } from '../../test/harness.js';
import type { DecisionRecord } from './decision.js';
import type { BudgetGuard } from './decision-store.js';

/**
 * Two budgets on one channel with one window are refused at PUT (policy-budgets-shared.test.ts),
 * but a policy stored before that check is compiled as stored at each start: the exact budget
 * check of a shared store (PostgreSQL, `decision_budget_use`) must still take each decision once
 * — the guards of one channel and window merged, the tightest max winning — not once per budget
 * (3 e-mails of a 6-a-day budget, then a 409 for every decision on the channel).
 */
const day = { name: 'email budget', channel: 'email', max: 6, window: '1d', borrowAfter: 1 };
const catalog = {
  actions: [{ id: 'spring-sale', name: 'Spring sale', channels: ['email'], value: 10 }],
  placements: [{ id: 'weekly', channel: 'email', slots: 1 }],
};
const decide = (app: FastifyInstance, subject: string) =>
  app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server), 'content-type': 'application/json' }, payload: { subject, placement: 'weekly' } });

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('a stored policy with two budgets on one channel and window', () => {
  it.each(['sqlite', 'postgres'] as const)('sends the tightest max, each decision taken once (%s)', async (kind) => {
    const { store, cleanup } = await openTestStore(kind);
    // As an older version stored them, before the PUT check refused them.
    await store.documents.put('catalog', catalog, { author: 'old version', reason: 'test' });
    const budgets = [{ ...day, name: 'email day', max: 9, window: '24h' }, day];
    await store.documents.put('policy', { exploration: { budget: 0 }, contact: { budgets } }, { author: 'old version', reason: 'test' });
    const h = await harness(kind, { store });
    cleanups.push(async () => (await h.close(), await cleanup()));
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await decide(h.app, `reader-${i}`)).statusCode);
    expect(statuses).toEqual(Array(10).fill(200));
    expect((await store.decisions.contactsSince(0)).length).toBe(6);
  });
});

describe("PostgreSQL's guarded append given two guards of one channel and window", () => {
  it('takes each decision from the window once and holds the tightest max', async () => {
    const { store, cleanup } = await openTestStore('postgres');
    cleanups.push(cleanup);
    const append = store.decisions.appendIfCurrent as NonNullable<typeof store.decisions.appendIfCurrent>;
    const at = Date.now();
    const windowMs = 86_400_000;
    const windowStart = Math.floor(at / windowMs) * windowMs;
    const guard = (name: string, max: number): BudgetGuard => ({ name, channel: 'email', windowMs, windowStart, max, shares: { 'spring-sale': Infinity } });
    const known = { contact: () => false, outcome: () => false, hold: () => false };
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++) {
      const record: DecisionRecord = {
        id: `d-${i}`, at, profileKey: `p-${i}`, subject: `s-${i}`, placement: 'weekly', channel: 'email', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
        arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'spring-sale', score: 1, propensity: 1, why: '' }],
        scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
      };
      const r = await append.call(store.decisions, record, at - 1000, known, { budgets: [guard('email day', 9), guard('email budget', 6)] });
      answers.push(r?.budget);
    }
    // Six taken, then the tighter budget refuses (before: 3, each decision counted twice).
    expect(answers).toEqual([...Array(6).fill(undefined), 'email budget', 'email budget']);
    expect((await store.decisions.contactsSince(0)).length).toBe(6);
  });
});
