import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, type Harness } from '../../test/harness.js';

/**
 * analytics.js sends the write key as `writeKey` in the body. One of another type (a number from a
 * config read as JSON, `null` from an unset variable) or an empty one was answered as if no key had
 * been sent at all (`missing_credentials`: "send … `writeKey` in the body"), which the client did.
 * The 401 says what is wrong with the field it sent, never quoting a string (it may be a key).
 */
describe('a body whose `writeKey` is not a write key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });
  const post = (url: string, body: unknown) => h.app.inject({ method: 'POST', url, payload: body as Record<string, unknown> });
  const track = { type: 'track', userId: 'ana', event: 'Viewed' };

  it('says it must be a string, naming the field and what was sent, on single and batch routes', async () => {
    for (const [writeKey, sent] of [[123, '123 (a number)'], [true, 'true (a boolean)'], [null, 'null'], [{ key: KEYS.write }, 'an object']] as const) {
      for (const [url, body] of [['/v1/track', { ...track, writeKey }], ['/v1/t', { ...track, writeKey }], ['/v1/batch', { batch: [track], writeKey }]] as const) {
        const res = await post(url, body);
        expect([res.statusCode, res.headers['www-authenticate']], url).toEqual([401, 'Bearer realm="tact"']);
        expect(res.json(), `${url} ${sent}`).toMatchObject({
          error: 'malformed_credentials',
          message: `The body's \`writeKey\` must be a string, the write key; it was ${sent}. Send the write key there as a string, or as the HTTP Basic user name.`,
        });
        expect(res.body).not.toContain(KEYS.write);
      }
    }
  });

  it('says an empty one is empty', async () => {
    for (const [url, body] of [['/v1/identify', { userId: 'ana', writeKey: '' }], ['/v1/batch', { batch: [track], writeKey: '' }]] as const) {
      const res = await post(url, body);
      expect(res.json(), url).toMatchObject({ error: 'malformed_credentials', message: 'The body\'s `writeKey` is empty. Send the write key there, or as the HTTP Basic user name.' });
    }
  });

  it('still answers a body with no `writeKey` as missing a key, and takes a good one', async () => {
    expect((await post('/v1/track', track)).json().error).toBe('missing_credentials');
    expect((await post('/v1/batch', { batch: [track] })).json().error).toBe('missing_credentials');
    expect((await post('/v1/track', { ...track, writeKey: KEYS.write })).statusCode).toBe(200);
    expect((await post('/v1/batch', { batch: [track], writeKey: KEYS.write })).statusCode).toBe(200);
  });
});

/**
 * QA 2026-12-05: a batch's text was scanned for `"writeKey":"…"` anywhere, so an event's property
 * named `writeKey` authenticated the batch (no header) or had it refused (a revoked key there beside
 * an active header key), while /v1/track read only the body's own field. Only the batch's own
 * `writeKey` and its messages' (analytics.js puts it on each) are read.
 */
describe('a `writeKey` inside a message\'s properties is data, on single and batch routes alike', () => {
  let h: Harness;
  let revoked = '';
  beforeAll(async () => {
    h = await harness('sqlite');
    const w = await h.tact.keys.create('write', 'old');
    await h.tact.keys.revoke(w.key.id);
    revoked = w.secret;
  });
  afterAll(async () => h.close());
  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const post = (url: string, body: unknown, authorization?: string) =>
    h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, payload: JSON.stringify(body) });
  const msg = (userId: string, writeKey: string) => ({ type: 'track', userId, event: 'Viewed', properties: { writeKey } });

  it('a revoked key in a property beside an active header key: stored, on both', async () => {
    expect((await post('/v1/track', msg('p1', revoked), basic(KEYS.write))).statusCode).toBe(200);
    const r = await post('/v1/batch', { batch: [msg('p2', revoked)] }, basic(KEYS.write));
    expect([r.statusCode, r.json()]).toEqual([200, { success: true }]);
  });

  it('an active key only in a property, no header: missing credentials, on both', async () => {
    expect((await post('/v1/track', msg('p3', KEYS.write))).json().error).toBe('missing_credentials');
    expect((await post('/v1/batch', { batch: [msg('p4', KEYS.write)] })).json().error).toBe('missing_credentials');
    expect((await post('/v1/batch', { batch: [msg('p5', 'n/a')] })).json().error).toBe('missing_credentials');
  });

  it('the batch\'s own key and its messages\' keys still count', async () => {
    expect((await post('/v1/batch', { batch: [msg('p6', 'n/a')], writeKey: KEYS.write })).statusCode).toBe(200);
    expect((await post('/v1/batch', { batch: [{ ...msg('p7', 'n/a'), writeKey: KEYS.write }] })).statusCode).toBe(200);
    // A revoked key as the batch's own or a message's, beside an active header key: refused.
    expect((await post('/v1/batch', { batch: [msg('p8', KEYS.write)], writeKey: revoked }, basic(KEYS.write))).json().error).toBe('revoked_credentials');
    expect((await post('/v1/batch', { batch: [{ ...msg('p9', KEYS.write), writeKey: revoked }] }, basic(KEYS.write))).json().error).toBe('revoked_credentials');
  });

  it('a revoked key on one message of several is refused, beside the header or not; messages naming different keys and no header are malformed', async () => {
    // QA: with the header, a revoked key on the second message was passed over ("messages naming different keys name none").
    const two = { batch: [{ ...msg('p10', 'n/a'), writeKey: KEYS.write }, { ...msg('p11', 'n/a'), writeKey: revoked }] };
    expect((await post('/v1/batch', two, basic(KEYS.write))).json().error).toBe('revoked_credentials');
    expect((await post('/v1/batch', two)).json().error).toBe('revoked_credentials');
    // Two active keys on the messages, no header, no key of the batch's own: which would be the request's?
    const other = await h.tact.keys.create('write', 'second shop');
    const mixed = await post('/v1/batch', { batch: [{ ...msg('p12', 'n/a'), writeKey: KEYS.write }, { ...msg('p13', 'n/a'), writeKey: other.secret }] });
    expect([mixed.statusCode, mixed.json().error]).toEqual([401, 'malformed_credentials']);
    expect(mixed.json().message).toContain('2 different keys');
    expect(mixed.body).not.toContain(other.secret);
    // With a header, or a key of the batch's own, the header's (or the batch's) is the request's.
    expect((await post('/v1/batch', { batch: [{ ...msg('p14', 'n/a'), writeKey: KEYS.write }, { ...msg('p15', 'n/a'), writeKey: other.secret }] }, basic(KEYS.write))).statusCode).toBe(200);
    expect((await post('/v1/batch', { writeKey: KEYS.write, batch: [{ ...msg('p16', 'n/a'), writeKey: other.secret }] })).statusCode).toBe(200);
  });
});
