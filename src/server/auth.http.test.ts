import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, harness, type Harness } from '../../test/harness.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const track = { userId: 'ana', event: 'Signed Up' };

describe('how a request carries its key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });
  const listKeys = (authorization: string) => h.app.inject({ method: 'GET', url: '/v1/keys', headers: { authorization } });
  const sendTrack = (authorization: string) => h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization }, payload: track });

  it('takes a Bearer key whatever the case of the scheme and however many spaces follow it', async () => {
    for (const header of [`Bearer ${KEYS.admin}`, `bearer ${KEYS.admin}`, `BEARER  ${KEYS.admin}`, `Bearer   ${KEYS.admin} `]) {
      expect((await listKeys(header)).statusCode, header).toBe(200);
    }
  });

  it('refuses a Bearer header holding more than one word, naming the header', async () => {
    const res = await listKeys(`Bearer ${KEYS.admin} extra`);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'malformed_credentials', message: expect.stringContaining('`Authorization`') });
  });

  it('refuses HTTP Basic where a server or admin key is needed, saying to send `Bearer <key>`', async () => {
    const res = await listKeys(basic(KEYS.admin));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'malformed_credentials', message: expect.stringContaining('Bearer <key>') });
    // A cross-site form (text/plain, no preflight) riding on Basic credentials a browser remembers makes nothing.
    const before = (await listKeys(`Bearer ${KEYS.admin}`)).json().keys.length;
    const forged = await h.app.inject({
      method: 'POST', url: '/v1/keys',
      headers: { authorization: basic(KEYS.admin), 'content-type': 'text/plain', origin: 'https://elsewhere.example' },
      payload: JSON.stringify({ kind: 'admin', label: 'forged' }),
    });
    expect(forged.statusCode).toBe(401);
    expect((await listKeys(`Bearer ${KEYS.admin}`)).json().keys.length).toBe(before);
  });

  it('takes the write key as the Basic user name, with or without a password, in any case and spacing', async () => {
    for (const header of [basic(), `Basic ${b64(KEYS.write)}`, `Basic ${b64(`${KEYS.write}:ignored`)}`, `basic  ${b64(`${KEYS.write}:`)}`]) {
      expect((await sendTrack(header)).statusCode, header).toBe(200);
    }
  });

  it('takes only the write key as the Basic user name: a server key there is refused, pointing to Bearer', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/outcomes', headers: { authorization: basic(KEYS.server), 'content-type': 'text/plain' }, payload: JSON.stringify({ type: 'purchase', subject: 'ana', value: 10 }) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'malformed_credentials', message: expect.stringContaining('Bearer <key>') });
    expect(res.body).not.toContain(KEYS.server);
  });

  it('answers 401 naming the header when Basic holds no user name or is not base64', async () => {
    for (const header of [`Basic ${b64(`:${KEYS.write}`)}`, 'Basic !!not*base64', 'Basic']) {
      const res = await sendTrack(header);
      expect(res.statusCode, header).toBe(401);
      expect(res.json(), header).toMatchObject({ error: 'malformed_credentials', message: expect.stringContaining('`Authorization') });
    }
  });

  it('never repeats a key sent without a scheme in its answer', async () => {
    const res = await listKeys(KEYS.admin);
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain(KEYS.admin);
    expect(res.json().message).toContain('Bearer <key>');
  });

  it('takes `writeKey` in the body on collection routes only', async () => {
    const t = await h.app.inject({ method: 'POST', url: '/v1/t', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ ...track, type: 'track', writeKey: KEYS.write }) });
    expect(t.statusCode).toBe(200);
    const batch = await h.app.inject({ method: 'POST', url: '/v1/batch', payload: { writeKey: KEYS.write, batch: [{ type: 'track', ...track }] } });
    expect(batch.statusCode).toBe(200);
    const outcome = await h.app.inject({ method: 'POST', url: '/v1/outcomes', payload: { type: 'purchase', subject: 'ana', writeKey: KEYS.admin } });
    expect(outcome.statusCode).toBe(401);
    expect(outcome.json().error).toBe('missing_credentials');
    // The browser client's way, the write key as the Basic user name, still reaches outcomes.
    const byBasic = await h.app.inject({ method: 'POST', url: '/v1/outcomes', headers: { authorization: basic() }, payload: { type: 'click', decisionId: 'no-such-decision' } });
    expect(byBasic.statusCode).toBe(404);
    // Nor does the OpenAPI document list it for outcomes (it did until 2026-12-05): sent beside a key, it is refused by name.
    const withKey = await h.app.inject({ method: 'POST', url: '/v1/outcomes', headers: { authorization: basic() }, payload: { type: 'click', decisionId: 'no-such-decision', writeKey: KEYS.write } });
    expect(withKey.statusCode).toBe(400);
    expect(withKey.json().problems).toEqual([{ field: 'writeKey', message: expect.stringContaining('`writeKey`') }]);
  });

  it('tells an admin key sent as HTTP Basic to go as Bearer, in a grammatical sentence', async () => {
    const r = await sendTrack(basic(KEYS.admin));
    expect(r.statusCode).toBe(401);
    expect(r.json().message).toBe('The `Authorization` header holds an admin key as the HTTP Basic user name, which carries only the write key; send an admin key as `Authorization: Bearer <key>`.');
  });

  it('names in every 401 the scheme that would be taken (RFC 9110 §11.6.1: a 401 must carry a WWW-Authenticate challenge)', async () => {
    const refusals = [
      await listKeys('Bearer tact_a_not-a-key'),
      await listKeys(`Token ${KEYS.admin}`),
      await h.app.inject({ method: 'GET', url: '/v1/keys' }),
      await sendTrack(`Basic ${b64('tact_w_not-a-key:')}`),
    ];
    for (const res of refusals) {
      expect(res.statusCode, res.body).toBe(401);
      // Bearer alone: a Basic challenge would make a browser open its sign-in dialog over the page.
      expect(res.headers['www-authenticate'], res.body).toBe('Bearer realm="tact"');
    }
    const forbidden = await listKeys(`Bearer ${KEYS.server}`);
    expect([forbidden.statusCode, forbidden.headers['www-authenticate']]).toEqual([403, undefined]);
  });

  it('answers 401 for a Basic user name that is not UTF-8, and for a write key cut at a colon', async () => {
    const notUtf8 = Buffer.concat([Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(':')]).toString('base64');
    const cut = b64(`${KEYS.write.slice(0, 4)}:${KEYS.write.slice(4)}`);
    for (const value of [notUtf8, cut]) {
      const res = await sendTrack(`Basic ${value}`);
      expect([res.statusCode, res.json().error], value).toEqual([401, 'invalid_credentials']);
    }
  });

  it('answers 403 naming the kind a key lacks, and 401 for an unknown key', async () => {
    const server = await listKeys(`Bearer ${KEYS.server}`);
    expect([server.statusCode, server.json().message]).toEqual([403, expect.stringContaining('cannot manage keys')]);
    const unknown = await listKeys('Bearer tact_a_not-a-key');
    expect([unknown.statusCode, unknown.json().error]).toEqual([401, 'invalid_credentials']);
    expect((await h.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
