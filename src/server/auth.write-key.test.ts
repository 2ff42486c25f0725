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
