import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';

// PostgreSQL's text and jsonb cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"):
// refused at the door with the field named, the same in both stores, where it was a 500 there.
describe.each(['sqlite', 'postgres'] as const)('a NUL character in a request (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind, { config: shopConfig() });
  });
  afterAll(async () => {
    await h.close();
  });

  it('costs a batch only the message that holds it, which is named with its field', async () => {
    const res = await send(h.app, '/v1/batch', { batch: [{ type: 'track', userId: 'ana', event: 'Signed Up' }, { type: 'track', userId: 'ben', event: 'Note', properties: { text: 'a\u0000b' } }] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, problems: [{ field: 'properties.text' }] }] });
    expect((await get(h.app, '/v1/profiles/ana')).statusCode).toBe(200);
  });

  it('answers 400 naming the path or query parameter, or the body field, of any other route', async () => {
    const profile = await get(h.app, '/v1/profiles/a%00b');
    expect(profile.statusCode).toBe(400);
    expect(profile.json().problems).toEqual([{ field: 'identifier', message: expect.stringContaining('NUL character') }]);
    const reviews = await get(h.app, '/v1/reviews?queue=a%00b');
    expect([reviews.statusCode, reviews.json().problems[0].field]).toEqual([400, 'querystring.queue']);
    const decide = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server) }, payload: { subject: 'ana', placement: 'home', context: { page: ['x', 'y\u0000'] } } });
    expect([decide.statusCode, decide.json().problems[0].field]).toEqual([400, 'context.page[1]']);
  });

  it('answers 400 naming a parameter or field that is a number but not a finite one', async () => {
    // The schema validator coerced "Infinity" to a number that passes `integer` and `maximum`; an
    // integer parameter now takes decimal digits only (decimal-text.ts), so it is refused as text.
    const q = await get(h.app, '/v1/decisions?limit=Infinity');
    expect([q.statusCode, q.json().problems?.[0]]).toEqual([400, { field: 'querystring.limit', message: 'The `querystring.limit` property must be an integer; it was "Infinity" (a string).' }]);
    const body = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server), 'content-type': 'application/json' }, payload: '{"subject":"ana","placement":"home","context":{"cart":1e400}}' });
    expect([body.statusCode, body.json().problems?.[0]?.field]).toEqual([400, 'context.cart']);
  });

  it('refuses a collected number that is not finite with a 400 naming the field, costing a batch only that message', async () => {
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify writes as null: it was stored as null.
    const single = await send(h.app, '/v1/track', '{"userId":"ana","event":"Order Completed","properties":{"revenue":1e400}}');
    expect([single.statusCode, single.json().error, single.json().problems]).toEqual([400, 'validation_failed', [{ field: 'properties.revenue', message: expect.stringContaining('must be a finite number') }]]);
    const batch = await send(h.app, '/v1/batch', '{"batch":[{"type":"identify","userId":"ana","traits":{"age":1e400}},{"type":"track","userId":"ana","event":"Fine","properties":{"coupon":null}}]}');
    expect(batch.statusCode).toBe(200);
    expect(batch.json()).toMatchObject({ accepted: 1, rejected: [{ index: 0, problems: [{ field: 'traits.age' }] }] });
  });

  it('refuses a body nested past any field Tact takes, before serialising it could overflow the stack', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const decide = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server), 'content-type': 'application/json' }, payload: `{"subject":"ana","placement":"home","context":{"x":${deep(200_000)}}}` });
    expect(decide.statusCode).toBe(400);
    expect(decide.json().problems[0].message).toMatch(/^The body nests deeper than 64 levels at `context\.x(\[0\])+`/);
    // A collected message that deep costs its batch only itself.
    const batch = await send(h.app, '/v1/batch', `{"batch":[{"type":"track","userId":"ana","event":"Deep","properties":{"x":${deep(50_000)}}},{"type":"track","userId":"ana","event":"Fine"}]}`);
    expect(batch.statusCode).toBe(200);
    expect(batch.json()).toMatchObject({ accepted: 1, rejected: [{ index: 0 }] });
  });

  it('reaches a profile by an identifier of any length Tact takes, and answers a malformed or overlong path in the one error shape', async () => {
    const email = `${'a'.repeat(480)}@example.com`;
    await send(h.app, '/v1/identify', { userId: 'long-email', traits: { email } });
    expect((await get(h.app, `/v1/profiles/${encodeURIComponent(`email:${email}`)}`)).statusCode).toBe(200);
    const bad = await get(h.app, '/v1/profiles/%E0%A4%A');
    expect([bad.statusCode, bad.json().error, typeof bad.json().errorId]).toEqual([400, 'bad_url', 'string']);
    const long = await get(h.app, `/v1/profiles/${'x'.repeat(3000)}`);
    expect([long.statusCode, long.json().error]).toEqual([414, 'url_too_long']);
  });
});
