import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, bearer, harness, type Harness } from '../../test/harness.js';

const HEADER_REVOKED = 'The key in the `Authorization` header was revoked; send an active key (`tact keys list` or `GET /v1/keys` shows which keys are active).';
const BODY_REVOKED = 'The key in the body\'s `writeKey` was revoked; send an active key (`tact keys list` or `GET /v1/keys` shows which keys are active).';

/**
 * docs/keys.md, "Sending a key": a request presenting a revoked key of Tact's — in its
 * `Authorization` header (Bearer or Basic) or as `writeKey` in a collection body — is refused
 * (401 `revoked_credentials`, naming where the key was), whatever else it carries. A Bearer
 * token that is none of Tact's keys, active or revoked, is passed over on collection routes for
 * the body's `writeKey` (Segment's OAuth, auth.oauth.test.ts); a revoked key of Tact's is not.
 */
describe.each(['sqlite', 'postgres'] as const)('a revoked key, on %s', (kind) => {
  let h: Harness;
  let revokedWrite = '';
  let revokedServer = '';
  beforeAll(async () => {
    h = await harness(kind);
    const w = await h.tact.keys.create('write', 'old web shop');
    const s = await h.tact.keys.create('server', 'old back end');
    await h.tact.keys.revoke(w.key.id);
    await h.tact.keys.revoke(s.key.id);
    revokedWrite = w.secret;
    revokedServer = s.secret;
  });
  afterAll(async () => h.close());

  const track = (userId: string) => ({ type: 'track', userId, event: 'Signed Up' });
  const post = (url: string, payload: unknown, authorization?: string, type = 'application/json') =>
    h.app.inject({ method: 'POST', url, headers: { 'content-type': type, ...(authorization ? { authorization } : {}) }, payload: JSON.stringify(payload) });
  const stored = async (userId: string) => (await h.app.inject({ url: `/v1/profiles/${userId}`, headers: { authorization: bearer(KEYS.server) } })).statusCode === 200;
  const refused = (r: { statusCode: number; headers: Record<string, unknown>; json(): { error: string; message: string } }, message: string, what: string) => {
    expect([r.statusCode, r.json().error, r.json().message], what).toEqual([401, 'revoked_credentials', message]);
    expect(r.headers['www-authenticate'], what).toBe('Bearer realm="tact"');
  };

  it('as a Bearer token on a collection route is refused, though the body holds a valid writeKey', async () => {
    for (const [url, body] of [
      ['/v1/batch', { batch: [track('rb-batch')], writeKey: KEYS.write }],
      ['/v1/b', { batch: [track('rb-b')], writeKey: KEYS.write }],
      ['/v1/import', { batch: [track('rb-import')], writeKey: KEYS.write }],
      ['/v1/track', { ...track('rb-track'), writeKey: KEYS.write }],
      ['/v1/t', { ...track('rb-t'), writeKey: KEYS.write }],
    ] as const) {
      for (const key of [revokedWrite, revokedServer]) {
        const r = await post(url, body, bearer(key), url === '/v1/t' ? 'text/plain' : 'application/json');
        refused(r, HEADER_REVOKED, `${url} ${key}`);
        expect(r.body).not.toContain(key);
      }
    }
    for (const id of ['rb-batch', 'rb-b', 'rb-import', 'rb-track', 'rb-t']) expect(await stored(id), id).toBe(false);
  });

  it('as a Bearer token is refused before the body is read: a body that is not JSON or too large is not looked at', async () => {
    const notJson = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: bearer(revokedWrite), 'content-type': 'application/json' }, payload: '{"writeKey":' });
    refused(notJson, HEADER_REVOKED, 'not JSON');
    const big = await post('/v1/track', { ...track('rb-big'), writeKey: KEYS.write, pad: 'x'.repeat(40_000) }, bearer(revokedWrite));
    refused(big, HEADER_REVOKED, 'too large');
  });

  it('as the HTTP Basic user name is refused, naming the header, though the body holds a valid writeKey', async () => {
    refused(await post('/v1/batch', { batch: [track('rbasic')], writeKey: KEYS.write }, basic(revokedWrite)), HEADER_REVOKED, 'batch');
    refused(await post('/v1/track', { ...track('rbasic'), writeKey: KEYS.write }, basic(revokedWrite)), HEADER_REVOKED, 'track');
    expect(await stored('rbasic')).toBe(false);
  });

  it('off the collection routes is refused naming the header too', async () => {
    refused(await post('/v1/decide', { subject: 'ana', placement: 'home' }, bearer(revokedServer)), HEADER_REVOKED, 'decide');
    refused(await h.app.inject({ url: '/v1/profiles/ana', headers: { authorization: bearer(revokedServer) } }), HEADER_REVOKED, 'profiles');
    refused(await post('/v1/outcomes', { type: 'purchase', subject: 'ana' }, basic(revokedWrite)), HEADER_REVOKED, 'outcomes');
  });

  it('as the body\'s writeKey is refused naming `writeKey`: alone, beside a Bearer token none of Tact\'s, or beside a valid key in the header', async () => {
    const oauthToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWdtZW50In0.c2lnbmF0dXJl';
    for (const authorization of [undefined, bearer(oauthToken), basic(), bearer(KEYS.write), bearer(KEYS.admin)]) {
      refused(await post('/v1/batch', { batch: [track('rbody')], writeKey: revokedWrite }, authorization), BODY_REVOKED, `batch ${authorization}`);
      refused(await post('/v1/track', { ...track('rbody'), writeKey: revokedWrite }, authorization), BODY_REVOKED, `track ${authorization}`);
      refused(await post('/v1/t', { ...track('rbody'), writeKey: revokedWrite }, authorization, 'text/plain'), BODY_REVOKED, `t ${authorization}`);
    }
    expect(await stored('rbody')).toBe(false);
  });

  it('as a message\'s writeKey written with a JSON escape is refused too, beside a valid key in the header (it passed: the text scan did not match an escape)', async () => {
    const escaped = revokedWrite.replace(/.$/, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const text = JSON.stringify({ batch: [{ ...track('rescaped'), writeKey: 'PLACEHOLDER' }] }).replace('PLACEHOLDER', escaped);
    expect(JSON.parse(text).batch[0].writeKey).toBe(revokedWrite);
    for (const authorization of [basic(), bearer(KEYS.write)]) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/json', authorization }, payload: text });
      refused(r, BODY_REVOKED, `batch ${authorization}`);
    }
    expect(await stored('rescaped')).toBe(false);
  });
});

/**
 * The other combinations of a header and a body's `writeKey` on collection routes, as docs/keys.md
 * states them: an active key in the header is the request's key; a Bearer token none of Tact's is
 * passed over for the body's `writeKey`; HTTP Basic is the write key itself, so a wrong one is
 * refused whatever the body holds; a body `writeKey` none of Tact's is passed over beside an active
 * key in the header, as a foreign Bearer token is beside an active body key.
 */
describe('a header and a body writeKey together on collection routes', () => {
  let h: Harness;
  let otherWrite = '';
  beforeAll(async () => {
    h = await harness('sqlite');
    otherWrite = (await h.tact.keys.create('write', 'second shop')).secret;
  });
  afterAll(async () => h.close());

  const batch = (writeKey?: string) => ({ batch: [{ type: 'track', userId: 'combo', event: 'Signed Up' }], ...(writeKey === undefined ? {} : { writeKey }) });
  const status = async (authorization: string | undefined, writeKey?: string) => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, payload: JSON.stringify(batch(writeKey)) });
    return r.statusCode === 200 ? 200 : `${r.statusCode} ${r.json().error}`;
  };

  it('answers each as documented', async () => {
    const foreign = 'Bearer not-a-tact-key';
    const cases: [string, string | undefined, string | undefined, number | string][] = [
      ['Basic, same writeKey (analytics-node)', basic(), KEYS.write, 200],
      ['Basic, another active writeKey', basic(), otherWrite, 200],
      ['Basic, writeKey none of Tact\'s', basic(), 'tact_w_not-a-key', 200],
      ['Basic none of Tact\'s, valid writeKey', basic('tact_w_not-a-key'), KEYS.write, '401 invalid_credentials'],
      ['Bearer, writeKey none of Tact\'s', bearer(KEYS.write), 'tact_w_not-a-key', 200],
      ['Bearer none of Tact\'s, valid writeKey (OAuth)', foreign, KEYS.write, 200],
      ['Bearer none of Tact\'s, writeKey none of Tact\'s', foreign, 'tact_w_not-a-key', '401 invalid_credentials'],
      ['Bearer none of Tact\'s, no writeKey', foreign, undefined, '401 invalid_credentials'],
      ['no header, valid writeKey', undefined, KEYS.write, 200],
      ['no header, writeKey none of Tact\'s', undefined, 'tact_w_not-a-key', '401 invalid_credentials'],
      ['no header, no writeKey', undefined, undefined, '401 missing_credentials'],
    ];
    for (const [what, authorization, writeKey, expected] of cases) expect(await status(authorization, writeKey), what).toBe(expected);
  });

  it('says where no key it knows was found', async () => {
    const message = async (authorization: string | undefined, writeKey?: string) =>
      (await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, payload: JSON.stringify(batch(writeKey)) })).json().message;
    expect(await message(basic('tact_w_not-a-key'), KEYS.write)).toBe('No key this server knows is in the `Authorization` header.');
    expect(await message(undefined, 'tact_w_not-a-key')).toBe('No key this server knows is in the body\'s `writeKey`.');
    expect(await message('Bearer not-a-tact-key')).toBe('No key this server knows is in the `Authorization` header or in the body\'s `writeKey`.');
    const decide = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: 'Bearer tact_s_not-a-key' }, payload: { subject: 'ana', placement: 'home' } });
    expect(decide.json().message).toBe('No key this server knows is in the `Authorization` header.');
  });
});

describe('the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('says on every 401 that a revoked key is refused, and on collection routes how a header and the body\'s writeKey combine', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };
    const collect = doc.paths['/v1/batch'].post.responses['401'].description;
    expect(collect).toContain('`revoked_credentials`');
    expect(collect).toMatch(/revoked key .*whatever else the request carries/);
    expect(collect).toMatch(/Bearer token none of Tact's keys is passed over for the body's `writeKey`/);
    expect(collect).toMatch(/HTTP Basic user name none of Tact's keys is refused/);
    expect(doc.paths['/v1/track'].post.responses['401'].description).toBe(collect);
    const decide = doc.paths['/v1/decide'].post.responses['401'].description;
    expect(decide).toContain('`revoked_credentials`');
    expect(decide).not.toContain('writeKey');
  });
});
