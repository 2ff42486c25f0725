import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../errors/input-values.js';
import { get, harness, send, type Harness } from '../../test/harness.js';
import { MAX_MESSAGE_DEPTH, normalizeMessage } from './normalize.js';

const env = { receivedAt: Date.parse('2026-12-05T12:00:00.000Z') };

/** `{"a": … {"a": 1} … }`, `levels` objects deep. */
const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

/** How many levels below the message its deepest object or list is (the message itself is 0). */
const depthOf = (v: unknown, at = 0): number => Math.max(at, ...Object.values(v as object).filter((c) => c !== null && typeof c === 'object').map((c) => depthOf(c, at + 1)));

describe('a message nesting deeper than the limit every body has', () => {
  it('is the limit /v1/decide and every other body have (server/input-guard.ts): 64 levels', () => {
    expect(MAX_MESSAGE_DEPTH).toBe(MAX_DEPTH);
    expect(MAX_DEPTH).toBe(64);
  });

  it('takes an object 63 levels below the message and refuses one 64 below, naming the path where it nests too deep', () => {
    // traits is 1 level below the message, traits.x 2: nest(62) puts its last object 63 below, nest(63) 64.
    const ok = normalizeMessage({ userId: 'u', groupId: 'g', traits: { x: nest(62) } }, 'group', env);
    expect(ok.ok).toBe(true);
    const deep = normalizeMessage({ userId: 'u', groupId: 'g', messageId: 'm-deep', traits: { x: nest(63) } }, 'group', env);
    expect(deep.ok).toBe(false);
    const path = `traits.x${'.a'.repeat(62)}`;
    expect(!deep.ok && deep.problems).toEqual([{ field: path, message: `The message nests deeper than 64 levels at \`${path}\`; no field Segment defines is nested more than a few levels.` }]);
    expect(!deep.ok && deep.messageId).toBe('m-deep');
  });

  it('counts lists as levels, in an identify\'s traits and its context.traits (which become its traits)', () => {
    const list = normalizeMessage({ userId: 'u', traits: { l: [[nest(61)]] } }, 'identify', env);
    // traits 1, l 2, l[0] 3, l[0][0] 4: the 60th `a` below it is 64 levels below the message.
    expect(!list.ok && list.problems[0].field).toBe(`traits.l[0][0]${'.a'.repeat(60)}`);
    const inContext = normalizeMessage({ userId: 'u', context: { traits: { x: nest(62) } } }, 'identify', env);
    expect(!inContext.ok && inContext.problems[0].field).toBe(`context.traits.x${'.a'.repeat(61)}`);
  });

  it('limits properties, context and integrations as traits: an object 64 levels below the message is refused, naming where and the limit (QA: properties were taken 70 deep)', () => {
    const message = (field: string) => `The message nests deeper than 64 levels at \`${field}\`; no field Segment defines is nested more than a few levels.`;
    // properties is 1 level below the message, properties.x 2: nest(62) puts its last object 63 below, nest(63) 64.
    expect(normalizeMessage({ userId: 'u', event: 'E', properties: { x: nest(62) } }, 'track', env).ok).toBe(true);
    const props = normalizeMessage({ userId: 'u', event: 'E', messageId: 'm-p', properties: { x: nest(69) } }, 'track', env);
    expect(!props.ok && [props.messageId, props.problems]).toEqual(['m-p', [{ field: `properties.x${'.a'.repeat(62)}`, message: message(`properties.x${'.a'.repeat(62)}`) }]]);
    // Lists count as levels here too; a page call's properties as a track call's.
    const list = normalizeMessage({ userId: 'u', name: 'Home', properties: { l: [[nest(61)]] } }, 'page', env);
    expect(!list.ok && list.problems[0].field).toBe(`properties.l[0][0]${'.a'.repeat(60)}`);
    // context as sent, the batch's context, and a track call's context.traits (not the profile's, but stored with the event).
    expect(normalizeMessage({ userId: 'u', event: 'E', context: { x: nest(62) } }, 'track', env).ok).toBe(true);
    const ctx = normalizeMessage({ userId: 'u', event: 'E', context: { x: nest(63) } }, 'track', env);
    expect(!ctx.ok && ctx.problems[0].field).toBe(`context.x${'.a'.repeat(62)}`);
    const batchCtx = normalizeMessage({ type: 'track', userId: 'u', event: 'E' }, undefined, { ...env, context: { deep: nest(200) } });
    expect(!batchCtx.ok && batchCtx.problems[0].field).toBe(`context.deep${'.a'.repeat(62)}`);
    const trackTraits = normalizeMessage({ userId: 'u', event: 'E', context: { traits: nest(200) } }, 'track', env);
    expect(!trackTraits.ok && trackTraits.problems[0].field).toBe(`context.traits${'.a'.repeat(62)}`);
    const integrations = normalizeMessage({ userId: 'u', event: 'E', integrations: { x: nest(63) } }, 'track', env);
    expect(!integrations.ok && integrations.problems[0].field).toBe(`integrations.x${'.a'.repeat(62)}`);
    // Many objects side by side are no depth: 500 products, 2 levels each.
    expect(normalizeMessage({ userId: 'u', event: 'E', properties: { products: Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, tags: [{ t: 1 }] })) } }, 'track', env).ok).toBe(true);
    // Too deep to serialise at all (the stack): named the same way, also where its content id is made (no messageId, a time).
    const deep = nest(300_000);
    for (const m of [{ userId: 'u', event: 'E', properties: { deep } }, { userId: 'u', event: 'E', timestamp: '2026-12-05T11:00:00Z', properties: { deep } }]) {
      const r = normalizeMessage(m, 'track', env);
      expect(!r.ok && r.problems[0].field).toBe(`properties.deep${'.a'.repeat(62)}`);
    }
  });

  it('leaves messages shaped as Segment\'s clients send them far below the limit (depth < 10)', () => {
    // An analytics.js (analytics-next 1.72) track call as test/segment-clients.e2e.test.ts replays it, with Segment's
    // e-commerce spec's products list (segment.com/docs/connections/spec/ecommerce/v2/#order-completed).
    const ajs = {
      type: 'track', anonymousId: 'a', event: 'Order Completed', messageId: 'ajs-next-1',
      properties: { order_id: 'o1', revenue: 25, products: [{ product_id: 'p1', price: 25, quantity: 1, category: 'Games' }] },
      context: {
        library: { name: 'analytics.js', version: 'next-1.72.0' },
        page: { path: '/checkout', referrer: '', search: '', title: 'Checkout', url: 'https://shop.example.com/checkout' },
        userAgentData: { brands: [{ brand: 'Chromium', version: '131' }], mobile: false, platform: 'Linux' },
        consent: { categoryPreferences: { Advertising: false } },
        campaign: { name: 'spring', source: 'news' },
      },
      integrations: {}, _metadata: { bundled: ['Segment.io'], unbundled: [], bundledIds: [] },
    };
    expect(depthOf(ajs)).toBe(4); // context.userAgentData.brands[0]
    expect(depthOf(ajs)).toBeLessThan(10);
    expect(normalizeMessage(ajs, undefined, env).ok).toBe(true);
  });
});

describe('deeply nested group traits on the embedded store (sqlite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  // SQLite's JSON functions stop at 1000 levels (sqlite.org/json1.html, JSON_MAX_DEPTH): these go beyond them.
  const deepGroup = (userId: string, groupId: string) => ({ userId, groupId, traits: { x: nest(1200) } });

  it('answers 400 naming the path, on the first call and on the next for the same account, never 500', async () => {
    expect((await send(h.app, '/v1/group', { userId: 'deep-u', groupId: 'g-deep', traits: { name: 'Deep' } })).statusCode).toBe(200);
    for (const call of [1, 2]) {
      const r = await send(h.app, '/v1/group', deepGroup('deep-u', 'g-deep'));
      expect([call, r.statusCode, r.json().error], r.body).toEqual([call, 400, 'validation_failed']);
      expect(r.json().problems[0].field).toBe(`traits.x${'.a'.repeat(62)}`);
    }
    const after = await send(h.app, '/v1/group', { userId: 'deep-u', groupId: 'g-deep', traits: { plan: 'pro' } });
    expect(after.statusCode, after.body).toBe(200);
    expect((await get(h.app, '/v1/accounts/g-deep')).json().traits).toEqual({ name: 'Deep', plan: 'pro' });
  });

  it('answers a track call whose properties nest 70 levels deep 400, naming the field and the limit', async () => {
    const r = await send(h.app, '/v1/track', { userId: 'deep-t', event: 'Deep', properties: { x: nest(70) } });
    expect([r.statusCode, r.json().error, r.json().problems?.[0]?.field], r.body).toEqual([400, 'validation_failed', `properties.x${'.a'.repeat(62)}`]);
    expect(r.json().message).toMatch(/deeper than 64 levels/);
    expect((await get(h.app, '/v1/profiles/deep-t')).statusCode).toBe(404);
  });

  it('rejects only that message of a batch, keeping the rest', async () => {
    expect((await send(h.app, '/v1/group', { userId: 'deep-b', groupId: 'g-deep-b', traits: { name: 'x' } })).statusCode).toBe(200);
    const r = await send(h.app, '/v1/batch', { batch: [
      { type: 'track', userId: 'deep-b', event: 'Batch Kept' },
      { type: 'group', ...deepGroup('deep-b', 'g-deep-b') },
      { type: 'group', ...deepGroup('deep-b', 'g-deep-b') },
    ] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ success: true, accepted: 1, rejected: [{ index: 1 }, { index: 2 }] });
    expect(r.json().rejected[0].problems[0].field).toBe(`traits.x${'.a'.repeat(62)}`);
    expect((await get(h.app, '/v1/profiles/deep-b')).json().events['Batch Kept'].count).toBe(1);
  });
});
