import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { advertising } from '../test-http.js';
import { type AudienceLine, runAudience } from './audience-run.js';

/**
 * A global budget and its fair shares under concurrent batch runs on one process (SQLite): each
 * run decides 32 subjects at once, and two runs over one audience decided for 66 e-mails where the
 * budget allows 40 (em-c, weight 2 of 4, 46 against its share of 20) — a decision checked the
 * budget's use when its pipeline ran, and another decision's contact could be reserved before its
 * own (QA, 2026-12-06). Single decisions made at once the same. A weekly window opened to
 * borrowing at its very end: the shares hold all along.
 */
const config = {
  catalog: {
    actions: [
      { id: 'em-a', name: 'Email A', channels: ['email'], purpose: 'Advertising', value: 50, topics: ['marketing'] },
      { id: 'em-b', name: 'Email B', channels: ['email'], purpose: 'Advertising', value: 40, topics: ['marketing'] },
      { id: 'em-c', name: 'Email C', channels: ['email'], purpose: 'Advertising', value: 30, topics: ['marketing'], budgetWeight: 2 },
    ],
    placements: [{ id: 'email-slot', name: 'Email', channel: 'email', slots: 3 }],
  },
  policy: {
    exploration: { budget: 0 },
    contact: {
      caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }],
      budgets: [{ name: 'email budget', channel: 'email', max: 40, window: '7d', borrowAfter: 1 }],
    },
  },
};
const SHARES: Record<string, number> = { 'em-a': 10, 'em-b': 10, 'em-c': 20 };

let h: Harness;
afterEach(async () => h?.close());

/** `n` people with consent, all in the audience. */
async function people(n: number): Promise<void> {
  h = await harness('sqlite', { config });
  for (let i = 0; i < n; i++) await send(h.app, '/v1/identify', { userId: `x${i}`, traits: { grp: 'x' }, context: advertising });
  await h.tact.consumers.runAll();
}

/** A batch run over the audience: the e-mails it reports (every subject decided, none failed). */
async function batch(): Promise<number> {
  let done: Extract<AudienceLine, { type: 'done' }> | undefined;
  for await (const l of runAudience(h.tact, { placement: 'email-slot', audience: 'traits.grp == "x"' })) {
    if (l.type === 'error') throw new Error(`${l.error}: ${l.message}`);
    if (l.type === 'done') done = l;
  }
  expect(done?.decided).toBe(done?.matched);
  return done?.actions ?? -1;
}

/** A single decision as POST /v1/decide makes it (a request's own call of the decider). */
const single = (i: number) => h.tact.decide.decider.decide({ subject: `x${i}`, placement: 'email-slot' });

/** E-mails logged, by action: the budget's 40 exactly, each action within its share. */
async function holds(): Promise<void> {
  const by: Record<string, number> = {};
  for (const c of await h.store.decisions.contactsSince(0)) by[c.action] = (by[c.action] ?? 0) + 1;
  expect(Object.values(by).reduce((a, b) => a + b, 0)).toBe(40);
  for (const [a, n] of Object.entries(by)) expect(n, a).toBeLessThanOrEqual(SHARES[a]);
}

describe('a global budget under concurrent decisions (one process)', () => {
  it('two batch runs at once over one audience send the budget exactly, each action within its share', async () => {
    await people(50);
    const runs = await Promise.all([batch(), batch()]);
    expect(runs[0] + runs[1]).toBe(40);
    await holds();
  });

  it('a batch run and single decisions for its audience at once, the same', async () => {
    await people(50);
    const [sent, ...answers] = await Promise.all([batch(), ...Array.from({ length: 50 }, (_, i) => single(i))]);
    const singles = answers.filter((d) => d.choices.some((c) => c.kind === 'action')).length;
    expect(sent + singles).toBe(40);
    await holds();
  });

  it('single decisions at once, the same', async () => {
    await people(50);
    await Promise.all(Array.from({ length: 100 }, (_, i) => single(i % 50)));
    await holds();
  });
});
