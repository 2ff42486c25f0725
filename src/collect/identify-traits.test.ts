import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';
import { keptTraits, normalizeMessage } from './normalize.js';

const env = { receivedAt: Date.parse('2026-12-05T12:00:00.000Z') };

/** An identify as RudderStack's JS SDK (v3) sends it: the traits in `context.traits`, none at the top. */
const rudderIdentify = (userId: string) => ({
  type: 'identify', userId, anonymousId: `${userId}-anon`, channel: 'web', messageId: `${userId}-m1`,
  originalTimestamp: '2026-12-05T11:59:59.000Z',
  context: { traits: { name: 'Richard Hendricks', email: 'rhendricks@example.com', logins: 2 }, library: { name: 'RudderLabs JavaScript SDK', version: '3.0.0' } },
  integrations: { All: true },
});

describe('an identify\'s traits: context.traits overlaid by the top-level traits', () => {
  it('takes the traits a RudderStack identify sends in context.traits alone', () => {
    const n = normalizeMessage(rudderIdentify('rs1'), undefined, env);
    expect(n.ok && n.message.traits).toEqual({ name: 'Richard Hendricks', email: 'rhendricks@example.com', logins: 2 });
  });

  it('lets the top-level trait win, key by key, where both name one', () => {
    const n = normalizeMessage({ userId: 'u', traits: { plan: 'pro', seats: 3 }, context: { traits: { plan: 'free', email: 'a@x.io' } } }, 'identify', env);
    expect(n.ok && n.message.traits).toEqual({ plan: 'pro', seats: 3, email: 'a@x.io' });
  });

  it('leaves other calls\' context.traits out of their traits (RudderStack sends them on every call)', () => {
    const n = normalizeMessage({ userId: 'u', event: 'E', context: { traits: { plan: 'free' } } }, 'track', env);
    expect(n.ok && n.message.traits).toBeUndefined();
    const g = normalizeMessage({ userId: 'u', groupId: 'g', traits: { name: 'Acme' }, context: { traits: { role: 'admin' } } }, 'group', env);
    expect(g.ok && g.message.traits).toEqual({ name: 'Acme' });
  });

  it('keeps the content id and the size as sent of a message without a messageId as they were before the merge', () => {
    const raw = { userId: 'u', timestamp: '2026-12-05T11:00:00.000Z', context: { traits: { email: 'a@x.io' } } };
    const n = normalizeMessage(structuredClone(raw), 'identify', env);
    // The id the code before the merge gave this message (its traits were none then): the same retry is still recognised.
    expect(n.ok && n.message.messageId).toBe('tact-Re-BHIG4Acp7TWKbFOAWDPsp2qo');
    expect(n.ok && n.sent).toBe(Buffer.byteLength(JSON.stringify(raw)));
  });

  it('leaves a trait named __proto__ out of identify and group traits, context.traits and traits.company, never changing what was sent', () => {
    const own = JSON.parse('{"__proto__":{"polluted":1},"constructor":"c","ok":1,"company":{"id":"acme","__proto__":{"x":1},"name":"Acme"}}');
    const ctx = JSON.parse('{"__proto__":{"y":1},"email":"a@x.io"}');
    const kept = keptTraits(ctx, own) as Record<string, unknown>;
    expect(Object.keys(kept).sort()).toEqual(['company', 'constructor', 'email', 'ok']);
    expect(Object.keys(kept.company as object)).toEqual(['id', 'name']);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(Object.hasOwn(own, '__proto__') && Object.hasOwn(own.company, '__proto__')).toBe(true);
    const g = normalizeMessage(JSON.parse('{"userId":"u","groupId":"g","traits":{"__proto__":{"polluted":1},"name":"N"}}'), 'group', env);
    expect(g.ok && Object.keys(g.message.traits as object)).toEqual(['name']);
    expect(g.ok && g.json).not.toContain('__proto__');
  });
});

describe('identify traits sent the RudderStack way, end to end (sqlite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: { trackingPlan: { identify: { block: true, properties: { type: 'object', properties: { logins: { type: 'number' }, email: { type: 'string' } } } } } } });
  });
  afterAll(async () => h.close());

  it('sets the profile\'s traits from context.traits, the top-level ones winning', async () => {
    const r = await send(h.app, '/v1/batch', { sentAt: '2026-12-05T11:59:59.000Z', batch: [rudderIdentify('rs-e2e')] });
    expect([r.statusCode, r.json()], r.body).toEqual([200, { success: true }]);
    const p = (await get(h.app, '/v1/profiles/rs-e2e')).json();
    expect(p.traits).toEqual({ name: 'Richard Hendricks', email: 'rhendricks@example.com', logins: 2 });
    await send(h.app, '/v1/identify', { userId: 'rs-e2e', traits: { logins: 3 }, context: { traits: { logins: 9, name: 'R. H.' } } });
    expect((await get(h.app, '/v1/profiles/rs-e2e')).json().traits).toMatchObject({ logins: 3, name: 'R. H.' });
  });

  it('has the tracking plan check the merged traits', async () => {
    const r = await send(h.app, '/v1/identify', { userId: 'rs-plan', context: { traits: { logins: 'two' } } });
    expect([r.statusCode, r.json().error], r.body).toEqual([400, 'tracking_plan_blocked']);
    expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual(['traits.logins']);
    const over = await send(h.app, '/v1/identify', { userId: 'rs-plan', traits: { logins: 2 }, context: { traits: { logins: 'two' } } });
    expect(over.statusCode, over.body).toBe(200);
  });

  it('keeps no __proto__ trait on a profile or an account, nor a __proto__ consent purpose', async () => {
    const raw = (path: string, s: string) => send(h.app, path, s);
    expect((await raw('/v1/identify', '{"userId":"pr","traits":{"__proto__":{"polluted":1},"ok":1}}')).statusCode).toBe(200);
    expect((await raw('/v1/group', '{"userId":"pr","groupId":"g-pr","traits":{"__proto__":{"polluted":1},"name":"N"}}')).statusCode).toBe(200);
    expect((await raw('/v1/track', '{"userId":"pr","event":"CP","context":{"consent":{"categoryPreferences":{"__proto__":true,"Analytics":true}}}}')).statusCode).toBe(200);
    const p = (await get(h.app, '/v1/profiles/pr')).json();
    expect(Object.keys(p.traits)).toEqual(['ok']);
    expect(Object.keys(p.consent)).toEqual(['Analytics']);
    const a = (await get(h.app, '/v1/accounts/g-pr')).json();
    expect(a.traits).toEqual({ name: 'N' });
  });
});
