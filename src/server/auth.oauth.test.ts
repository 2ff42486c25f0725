import { generateKeyPairSync } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';

/**
 * Segment's OAuth for sources: a client with OAuth settings sends `Authorization: Bearer <access
 * token>` (a token from Segment's authorization server, none of Tact's keys) and keeps the write
 * key as `writeKey` in the body. Sources: @segment/analytics-node 3.1.0,
 * dist/cjs/plugins/segmentio/publisher.js ("Prefer OAuth Bearer token when available; otherwise
 * fall back to Basic auth with write key", the body `{ batch, writeKey, sentAt }`); Segment's HTTP
 * API docs, "OAuth": "Include the access token in the Authorization header as a Bearer token along
 * with your project's write key in the payload of the request" (segmentio/segment-docs #6040,
 * src/connections/sources/catalog/libraries/server/http-api/index.md).
 */
describe('a Segment OAuth access token beside the write key in the body', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  const oauthToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWdtZW50In0.c2lnbmF0dXJl';
  const post = (url: string, payload: object, authorization = bearer(oauthToken), type = 'application/json') =>
    h.app.inject({ method: 'POST', url, headers: { authorization, 'content-type': type }, payload: JSON.stringify(payload) });
  const track = { type: 'track', userId: 'oauth-user', event: 'Signed Up' };

  it('is accepted on every collection route when the body holds a valid writeKey', async () => {
    for (const [url, body] of [
      ['/v1/batch', { batch: [track], writeKey: KEYS.write, sentAt: new Date().toISOString() }],
      ['/v1/b', { batch: [track], writeKey: KEYS.write }],
      ['/v1/track', { ...track, writeKey: KEYS.write }],
      ['/v1/t', { ...track, writeKey: KEYS.write }],
    ] as const) {
      const r = await post(url, body);
      expect([r.statusCode, r.body], url).toEqual([200, JSON.stringify({ success: true })]);
    }
  });

  it('is still a 401 with no valid key at all: no writeKey, an unknown one, or off the collection routes', async () => {
    const refused = [
      await post('/v1/batch', { batch: [track] }),
      await post('/v1/batch', { batch: [track], writeKey: 'tact_w_not-a-key' }),
      await post('/v1/batch', { batch: [track], writeKey: oauthToken }),
      await post('/v1/track', { ...track, writeKey: '' }),
      await post('/v1/t', { ...track }, bearer(oauthToken), 'text/plain'),
      await post('/v1/outcomes', { type: 'purchase', subject: 'ana', writeKey: KEYS.write }),
      await post('/v1/decide', { subject: 'ana', placement: 'home', writeKey: KEYS.write }),
    ];
    for (const r of refused) {
      expect([r.statusCode, r.json().error], r.body).toEqual([401, 'invalid_credentials']);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="tact"');
    }
  });

  it('does not lend the body key more than a write key may: a Bearer of ours decides, as before', async () => {
    // A valid Bearer key is the request's key, whatever the body says.
    const r = await post('/v1/batch', { batch: [track], writeKey: 'tact_w_not-a-key' }, bearer(KEYS.write));
    expect(r.statusCode, r.body).toBe(200);
    // HTTP Basic is the write key itself (Segment replaces it with the token): a wrong one is refused.
    const basicWrong = await post('/v1/batch', { batch: [track], writeKey: KEYS.write }, `Basic ${Buffer.from('tact_w_not-a-key:').toString('base64')}`);
    expect([basicWrong.statusCode, basicWrong.json().error]).toEqual([401, 'invalid_credentials']);
  });

  it('takes what @segment/analytics-node sends with oauthSettings', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sent: { url: string; authorization: string | undefined; body: Record<string, unknown>; status: number }[] = [];
    // Its HTTP client answers the token request as Segment's authorization server would, and hands
    // every other request to Tact unchanged.
    const httpClient = async (url: string, init: { method: string; headers: Record<string, string>; body: string }) => {
      if (url === 'https://oauth2.example/token') {
        return { status: 200, statusText: 'OK', headers: {}, text: async () => JSON.stringify({ access_token: oauthToken, expires_in: 3600 }) };
      }
      const r = await h.app.inject({ method: 'POST', url: new URL(url).pathname, headers: init.headers, payload: init.body });
      sent.push({ url, authorization: init.headers.Authorization, body: JSON.parse(init.body), status: r.statusCode });
      return { status: r.statusCode, statusText: r.statusMessage, headers: r.headers as Record<string, string>, text: async () => r.body };
    };
    const analytics = new Analytics({
      writeKey: KEYS.write, host: 'http://tact.test', flushAt: 2, flushInterval: 100, maxRetries: 1, httpClient,
      oauthSettings: { clientId: 'oauth-app', clientKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, keyId: 'key-1', authServer: 'https://oauth2.example' },
    });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.identify({ userId: 'oauth-node', traits: { plan: 'oauth' } });
    analytics.track({ userId: 'oauth-node', event: 'Order Completed' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(sent.length).toBeGreaterThan(0);
    for (const s of sent) {
      expect(s.authorization).toBe(`Bearer ${oauthToken}`);
      expect(s.body.writeKey).toBe(KEYS.write);
    }
    expect(sent.map((s) => s.status)).toEqual(sent.map(() => 200));
    expect(errors).toEqual([]);
    const p = (await h.app.inject({ method: 'GET', url: '/v1/profiles/oauth-node', headers: { authorization: bearer(KEYS.server) } })).json();
    expect(p.traits.plan).toBe('oauth');
  });
});
