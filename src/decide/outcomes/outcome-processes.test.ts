import { afterEach, describe, expect, it, vi } from 'vitest';
import { get, harness, send, twoHarnesses, type Harness } from '../../../test/harness.js';
import { post } from '../test-http.js';

/**
 * Several processes on one PostgreSQL database: an outcome recorded by one process credits a
 * decision another logged a moment before — before any sync of the decision state — also when the
 * decision was made for a subject with no profile yet (`anon:` key) and the outcome's event is the
 * one that creates the profile. Until 2026-12-05 the recording process counted a subject's `anon:`
 * keys only when its own decision state held them (learned at the next sync, every second): the
 * conversion was stored uncredited for good, and the bandit learned the trial as a failure.
 */
const config = {
  catalog: {
    actions: [
      { id: 'shoes-offer', name: 'Running shoes offer', channels: ['web'], value: 60 },
      { id: 'socks-offer', name: 'Socks bundle', channels: ['web'], value: 12 },
    ],
    placements: [{ id: 'hero', channel: 'web', selection: { kind: 'thompson', features: ['context.mobile'] } }],
  },
  policy: {
    exploration: { budget: 0 },
    outcomes: { events: { 'Order Completed': { type: 'conversion', value: 'revenue' } }, attribution: { window: '7d', model: 'last' } },
  },
};

const DAY = 86_400_000;

type Outcome = { id: string; decisionId: string | null; action: string | null; success: boolean };

async function decide(h: Harness, subject: string) {
  const r = await post(h.app, '/v1/decide', { subject, placement: 'hero', context: { mobile: true } });
  expect(r.statusCode, r.body).toBe(200);
  const d = r.json() as { decisionId: string; choices: { kind: string; action?: string }[] };
  const action = d.choices[0].action as string;
  expect(d.choices[0].kind).toBe('action');
  return { id: d.decisionId, action };
}

async function outcomesOf(h: Harness, decisionId: string): Promise<Outcome[]> {
  return (await get(h.app, `/v1/decisions/${decisionId}`)).json().outcomes;
}

describe('an outcome recorded by another process than the decision (PostgreSQL)', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (closing.length) await closing.pop()!();
  });

  it('credits a decision made for a subject with no profile yet, when the event that creates the profile reaches the other process at once', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    const d = await decide(a, 'kn0AB0');
    expect(a.tact.decide.bandits.openTrials()).toBe(1);
    const before = a.tact.decide.bandits.versionOf('hero');
    // B has not synced since A decided: its decision state knows nothing of `anon:kn0AB0`.
    const r = await send(b.app, '/v1/track', { userId: 'kn0AB0', event: 'Order Completed', messageId: 'kn0-order-1', properties: { revenue: 3 } });
    expect(r.statusCode, r.body).toBe(200);
    await b.tact.consumers.runAll();
    // B (the outcome consumer's lease holder) recorded it; A has not synced it yet.
    expect([b.tact.decide.state.hasOutcome('kn0-order-1'), a.tact.decide.state.hasOutcome('kn0-order-1')]).toEqual([true, false]);
    const credited = await outcomesOf(a, d.id);
    expect(credited.map((o) => [o.id, o.action, o.success])).toEqual([['kn0-order-1', d.action, true]]);
    // The estimates count it a success of the action…
    const successes = (await a.store.decisions.successCounts()).filter((c) => c.action === d.action).reduce((n, c) => n + Number(c.n), 0);
    expect(successes).toBe(1);
    // …and the deciding process's bandit learns it at its next sync, not as a failure when the window ends.
    await a.tact.decide.sync();
    expect(a.tact.decide.bandits.openTrials()).toBe(0);
    const learned = a.tact.decide.bandits.versionOf('hero');
    expect(learned).not.toBe(before);
    expect(await a.tact.decide.bandits.expire(Date.now() + 8 * DAY)).toBe(0);
    expect(a.tact.decide.bandits.versionOf('hero')).toBe(learned);
  });

  it('credits it through POST /v1/outcomes with a `subject` and no decision id, on the other process', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    // A visitor decided for in A by its anonymous id, before it had a profile; it signs up through B.
    const v = await decide(a, 'v-new');
    await send(b.app, '/v1/identify', { userId: 'new', anonymousId: 'v-new', traits: {} });
    const r = await post(b.app, '/v1/outcomes', { subject: 'new', type: 'conversion', value: 5, messageId: 'new-c1' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().recorded.map((o: Outcome) => [o.decisionId, o.action, o.success])).toEqual([[v.id, v.action, true]]);
  });

  it('takes a decision named with its subject there too: the decision made under the visitor\'s anonymous id is the subject\'s', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    const w = await decide(a, 'v-other');
    await send(b.app, '/v1/identify', { userId: 'other', anonymousId: 'v-other', traits: {} });
    const named = await post(b.app, '/v1/outcomes', { subject: 'other', decisionId: w.id, type: 'conversion', value: 5, messageId: 'other-c1' });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json().recorded.map((o: Outcome) => [o.decisionId, o.action, o.success])).toEqual([[w.id, w.action, true]]);
  });

  it('credits a decision another process made for an identified subject a moment before (the road the anonymous case now takes too)', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    // Through B: B takes the outcome consumer's lease, and the profile exists before A decides.
    await send(b.app, '/v1/identify', { userId: 'ida', traits: {} });
    await b.tact.consumers.runAll();
    const d = await decide(a, 'ida');
    await send(b.app, '/v1/track', { userId: 'ida', event: 'Order Completed', messageId: 'ida-order-1', properties: { revenue: 9 } });
    await b.tact.consumers.runAll();
    expect((await outcomesOf(b, d.id)).map((o) => [o.id, o.action, o.success])).toEqual([['ida-order-1', d.action, true]]);
  });
  it('costs one read of the log\'s `anon:` decisions per batch while this process holds no anonymous history, and no read of identities when it finds none', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    for (const u of ['c1', 'c2', 'c3']) await send(b.app, '/v1/identify', { userId: u, traits: {} });
    await b.tact.consumers.runAll();
    for (const u of ['c1', 'c2', 'c3']) await decide(a, u);
    const anonymousKeys = vi.spyOn(b.store.decisions, 'anonymousKeys');
    const identities = vi.spyOn(b.store.profiles, 'identities');
    const identitiesOfMany = vi.spyOn(b.store.profiles, 'identitiesOfMany');
    const profileOf = async (u: string) => (await b.store.profiles.findProfileId('userId', u)) as string;
    const batch = async (tag: string) => b.tact.decide.outcomes.record(await Promise.all(['c1', 'c2', 'c3'].map(async (u) => ({ id: `${tag}-${u}`, at: Date.now(), type: 'conversion', value: 1, profileKey: await profileOf(u), source: 'event' as const }))));
    const first = await batch('first');
    expect(first.records.map((r) => r.success)).toEqual([true, true, true]);
    expect(anonymousKeys).toHaveBeenCalledTimes(1);
    expect(identities).not.toHaveBeenCalled();
    expect(identitiesOfMany).not.toHaveBeenCalled();
    // Once another process decided for a visitor with no profile: the profile's identifiers are read, as when this process holds such history.
    await decide(a, 'v-later');
    anonymousKeys.mockClear();
    await batch('fourth');
    expect(anonymousKeys).toHaveBeenCalledTimes(1);
    // (all the batch's subjects' in one read)
    expect(identitiesOfMany).toHaveBeenCalledTimes(1);
    expect(identities).not.toHaveBeenCalled();
    // After a sync the ledger holds it: no more reads of the log's `anon:` decisions.
    await b.tact.decide.sync();
    anonymousKeys.mockClear();
    await batch('fifth');
    expect(anonymousKeys).not.toHaveBeenCalled();
  });

  it('SQLite (one process) reads no `anon:` decisions of the log for it', async () => {
    const h = await harness('sqlite', { config });
    closing.push(() => h.close());
    const anonymousKeys = vi.spyOn(h.store.decisions, 'anonymousKeys');
    const d = await decide(h, 'v-solo');
    await send(h.app, '/v1/track', { userId: 'solo', anonymousId: 'v-solo', event: 'Order Completed', messageId: 'solo-1', properties: { revenue: 2 } });
    await h.tact.consumers.runAll();
    expect((await outcomesOf(h, d.id)).map((o) => [o.id, o.success])).toEqual([['solo-1', true]]);
    expect(anonymousKeys).not.toHaveBeenCalled();
  });
});
