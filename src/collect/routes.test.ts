import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, bearer, get, harness, send, type Harness } from '../../test/harness.js';

describe('collection API (Segment HTTP Tracking API)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('answers {"success":true} for each call type', async () => {
    for (const [path, body] of [
      ['/v1/track', { userId: 'r1', event: 'Signed Up' }],
      ['/v1/identify', { userId: 'r1', traits: { name: 'R' } }],
      ['/v1/page', { anonymousId: 'a1', name: 'Home' }],
      ['/v1/screen', { userId: 'r1', name: 'Settings' }],
      ['/v1/group', { userId: 'r1', groupId: 'g1' }],
      ['/v1/alias', { userId: 'r1', previousId: 'a1' }],
    ] as const) {
      const r = await send(h.app, path, body);
      expect(r.statusCode, `${path}: ${r.body}`).toBe(200);
      expect(r.json()).toEqual({ success: true });
    }
  });

  it('takes the write key as the Basic user name, as writeKey in the body, or a server key as Bearer', async () => {
    const noAuth = await h.app.inject({ method: 'POST', url: '/v1/track', payload: { userId: 'r', event: 'E' } });
    expect(noAuth.statusCode).toBe(401);
    expect(noAuth.json().error).toBe('missing_credentials');
    const inBody = await h.app.inject({ method: 'POST', url: '/v1/track', payload: { userId: 'r', event: 'E', writeKey: KEYS.write } });
    expect(inBody.statusCode).toBe(200);
    const bearerServer = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: bearer() }, payload: { userId: 'r', event: 'E' } });
    expect(bearerServer.statusCode).toBe(200);
    const wrong = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic('nope') }, payload: { userId: 'r', event: 'E' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_credentials');
  });

  it('a write key cannot read profiles', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/profiles/r1', headers: { authorization: bearer(KEYS.write) } });
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toBe('A write key cannot read profiles; this needs a server key.');
  });

  it('answers 400 naming the field of an invalid message', async () => {
    const r = await send(h.app, '/v1/track', { userId: 'r' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'validation_failed', problems: [{ field: 'event' }] });
    expect(r.json().message).toBe('The `event` property is required for a track call. It was not present on the data you sent.');
  });

  it('keeps the valid messages of a batch and lists the rejected ones with reasons', async () => {
    const r = await send(h.app, '/v1/batch', { batch: [
      { type: 'track', userId: 'b1', event: 'Ok' },
      { type: 'track', userId: 'b1' },
      { type: 'launch', userId: 'b1' },
      { type: 'identify', anonymousId: 'b-anon', traits: { a: 1 } },
    ] });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((x: { index: number }) => x.index)).toEqual([1, 2]);
    expect(body.rejected[0].problems[0].field).toBe('event');
    expect(body.rejected[1].problems[0].field).toBe('type');
  });

  it('stores a message without messageId that differs from an earlier one only in its context, and dedupes its retry', async () => {
    // Found by QA: consent withdrawn in a second call with the same userId, event and timestamp was
    // answered {"success":true} and dropped as a retry of the first, its context not being hashed.
    const call = (advertising: boolean) => ({ type: 'track', userId: 'consent-1', event: 'Viewed', timestamp: '2026-11-23T11:00:00Z', context: { consent: { categoryPreferences: { Advertising: advertising } } } });
    const sent = async (advertising: boolean) => (await send(h.app, '/v1/import', { batch: [call(advertising)] })).json();
    expect(await sent(true)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await sent(false)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await sent(false)).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('resolves a message whose userId is blocked by its anonymousId alone', async () => {
    for (const messageId of ['blk-1', 'blk-2']) {
      const r = await send(h.app, '/v1/track', { userId: 'null', anonymousId: 'blk-anon', event: 'Viewed', messageId });
      expect(r.statusCode, r.body).toBe(200);
    }
    const p = (await get(h.app, '/v1/profiles/anonymousId:blk-anon')).json();
    expect(p.identities).toEqual([expect.objectContaining({ kind: 'anonymousId', value: 'blk-anon' })]);
    expect(p.events.Viewed.count).toBe(2);
  });

  it('refuses a message whose only identifiers are blocked, naming the field, rather than make a profile no one can find', async () => {
    const before = await h.tact.store.collect.countEvents();
    const one = await send(h.app, '/v1/track', { userId: 'null', event: 'Viewed' });
    expect(one.statusCode).toBe(400);
    expect(one.json()).toMatchObject({ error: 'validation_failed', problems: [{ field: 'userId', message: expect.stringContaining('"null"') }] });
    const ids = await send(h.app, '/v1/identify', { userId: 'anonymous', anonymousId: '0', traits: { email: 'test@test.com' } });
    expect(ids.statusCode).toBe(400);
    expect(ids.json().problems.map((x: { field: string }) => x.field)).toEqual(['userId', 'traits.email', 'anonymousId']);
    // In a batch, that message is rejected and the others are kept.
    const b = await send(h.app, '/v1/batch', { batch: [
      { type: 'track', userId: 'blk-b', event: 'Ok' },
      { type: 'track', userId: ' NULL ', event: 'Lost', messageId: 'blk-lost' },
      { type: 'track', anonymousId: '-1', event: 'Lost' },
    ] });
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, messageId: 'blk-lost', problems: [{ field: 'userId' }] }, { index: 2, problems: [{ field: 'anonymousId' }] }] });
    const all = await send(h.app, '/v1/batch', { batch: [{ type: 'page', anonymousId: 'undefined' }] });
    expect(all.statusCode).toBe(400);
    expect(all.json().error).toBe('batch_rejected');
    expect(await h.tact.store.collect.countEvents()).toBe(before + 1);
  });

  it('judges identifiers by the merge rules in force: a value the operator unblocks identifies, the other defaults still do not', async () => {
    expect((await send(h.app, '/v1/track', { userId: 'guest', event: 'Viewed' })).statusCode).toBe(400);
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/merge-rules', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { unblocked: ['guest'], limits: { userId: 1 } }, reason: 'guest is a real account here' } });
    expect(put.statusCode, put.body).toBe(200);
    try {
      expect((await send(h.app, '/v1/track', { userId: 'guest', event: 'Viewed' })).statusCode).toBe(200);
      expect((await send(h.app, '/v1/track', { userId: 'null', event: 'Viewed' })).statusCode).toBe(400);
    } finally {
      await h.app.inject({ method: 'PUT', url: '/v1/config/merge-rules', headers: { authorization: bearer(KEYS.admin) }, payload: { document: {}, reason: 'back to the defaults' } });
    }
  });

  it('answers 400 when every message of a batch is rejected, and when batch is missing', async () => {
    const all = await send(h.app, '/v1/batch', { batch: [{ type: 'track' }] });
    expect(all.statusCode).toBe(400);
    expect(all.json().error).toBe('batch_rejected');
    const none = await send(h.app, '/v1/batch', { messages: [] });
    expect(none.statusCode).toBe(400);
    expect(none.json().problems[0].field).toBe('batch');
    // A batch of the wrong type is named for what it was, not as absent.
    const one = await send(h.app, '/v1/batch', { batch: { type: 'track', userId: 'u', event: 'E' } });
    expect([one.statusCode, one.json().message]).toEqual([400, 'The `batch` property must be a list of messages; it was an object.']);
  });

  it('answers a batch whose own `sentAt` is no time with one 400 naming it, rather than blame each message without its own', async () => {
    const r = await send(h.app, '/v1/batch', { sentAt: 'garbage', batch: [{ type: 'page', userId: 'bs', sentAt: '2026-12-05T11:00:00Z' }, { type: 'page', userId: 'bs' }] });
    expect([r.statusCode, r.json().error], r.body).toEqual([400, 'validation_failed']);
    expect(r.json().problems).toEqual([{ field: 'sentAt', message: expect.stringMatching(/^The batch's `sentAt` .* it was "garbage"\.$/) }]);
    expect((await get(h.app, '/v1/profiles/bs')).statusCode).toBe(404);
  });

  it('answers a batch request without any body (no Content-Type) with a 400 naming the body, as a `null` body, not a 500', async () => {
    for (const path of ['/v1/batch', '/v1/b', '/v1/import']) {
      const none = await h.app.inject({ method: 'POST', url: path, headers: { authorization: basic() } });
      expect([none.statusCode, none.json().error], `${path}: ${none.body}`).toEqual([400, 'validation_failed']);
      expect(none.json().problems, path).toEqual([{ field: 'batch', message: 'A batch body must be a JSON object holding the messages as its `batch` list ({"batch": [ … ]}); the request had no body.' }]);
      const nul = await h.app.inject({ method: 'POST', url: path, headers: { authorization: basic(), 'content-type': 'application/json' }, payload: 'null' });
      expect([nul.statusCode, nul.json().problems[0].field], nul.body).toEqual([400, 'batch']);
    }
  });

  it('answers 413 over 32 KB a message and 500 KB a batch, with a clear body', async () => {
    const big = await send(h.app, '/v1/track', { userId: 'r', event: 'E', properties: { x: 'y'.repeat(40_000) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('message_too_large');
    expect(big.json().message).toContain('32 KB');
    const batch = Array.from({ length: 30 }, () => ({ type: 'track', userId: 'r', event: 'E', properties: { x: 'y'.repeat(20_000) } }));
    const huge = await send(h.app, '/v1/batch', { batch });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toBe('batch_too_large');
    expect(huge.json().message).toContain('500 KB');
  });

  it('answers 413 with the limit in bytes when the body\'s size is not known beforehand (gzip)', async () => {
    const gz = { authorization: basic(), 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const batch = Array.from({ length: 30 }, () => ({ type: 'track', userId: 'r', event: 'E', properties: { x: 'y'.repeat(20_000) } }));
    const huge = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: gz, payload: gzipSync(JSON.stringify({ batch })) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().message).toBe('A batch may be at most 500 KB; this request is more than 512000 bytes. Send fewer messages per batch (analytics libraries do this for you).');
    // A single call is read up to 500 KB (as a batch), then measured as sent; beyond that, the limit is said.
    const big = await h.app.inject({ method: 'POST', url: '/v1/track', headers: gz, payload: gzipSync(JSON.stringify({ userId: 'r', event: 'E', properties: { x: 'y'.repeat(40_000) } })) });
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(/^A single message may be at most 32 KB; this one is 40048 bytes\./);
    const huger = await h.app.inject({ method: 'POST', url: '/v1/track', headers: gz, payload: gzipSync(JSON.stringify({ userId: 'r', event: 'E', properties: { x: 'y'.repeat(600_000) } })) });
    expect(huger.statusCode).toBe(413);
    expect(huger.json().message).toMatch(/^A single message may be at most 32 KB; this one is more than 512000 bytes\./);
  });

  it('reads a content coding written in any case (HTTP content codings are case-insensitive)', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(), 'content-type': 'application/json', 'content-encoding': 'GZIP' }, payload: gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'gz', event: 'Zipped' }] })) });
    expect(r.statusCode, r.body).toBe(200);
  });

  it('takes a batch of exactly 500 KB, and keeps the rest of a batch holding a message over 32 KB', async () => {
    // Two messages (one of 34 KB in UTF-8 though 17,000 characters long), padded by unknown fields to 500 KB.
    const make = (n: number) => JSON.stringify({ batch: [
      { type: 'track', userId: 'edge', event: 'E', pad: 'p'.repeat(Math.min(n, 30_000)) },
      { type: 'track', userId: 'edge', event: 'E', pad: 'p'.repeat(Math.max(0, n - 30_000)), properties: { x: 'é'.repeat(17_000) } },
    ] });
    const body = make(500 * 1024 - Buffer.byteLength(make(0)));
    expect(Buffer.byteLength(body)).toBe(500 * 1024);
    const r = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(), 'content-type': 'application/json' }, payload: body });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, problems: [{ field: '(message)' }] }] });
  });

  it('measures a single call as a batch measures its message: the UTF-8 bytes of its JSON, however the body writes it', async () => {
    // QA: 10,000 × "é" sent as ASCII escapes (Python's json.dumps) made a body of 60,080 bytes, a message of
    // 20,072: /v1/track answered 413 "this one is 60080 bytes", /v1/batch stored it. Pretty-printed JSON likewise.
    const m = { userId: 'esc-1', event: 'E', properties: { p: 'é'.repeat(10_000) } };
    expect(Buffer.byteLength(JSON.stringify(m))).toBe(20_052);
    const escaped = JSON.stringify(m).replace(/é/g, '\\u00e9');
    // Pretty-printed, and indented far: white space between tokens is no part of the message.
    const pretty = JSON.stringify({ ...m, properties: { p: 'y'.repeat(20_000) } }, null, 2).replace(/\n/g, `\n${' '.repeat(10_000)}`);
    for (const [what, body] of [['escaped', escaped], ['pretty', pretty]] as const) {
      expect(Buffer.byteLength(body), what).toBeGreaterThan(40_000);
      const one = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(), 'content-type': 'application/json' }, payload: body });
      expect(one.statusCode, `${what}: ${one.body}`).toBe(200);
      const b = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(), 'content-type': 'application/json' }, payload: `{"batch":[${body.replace('{', '{"type":"track",')}]}` });
      expect(b.json(), what).toEqual({ success: true });
    }
    // Over 32 KB as sent, whatever the body's size: 413 with the size as sent, in both.
    const over = JSON.stringify({ userId: 'esc-1', event: 'E', properties: { p: 'é'.repeat(16_400) } });
    const one = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(), 'content-type': 'application/json' }, payload: over.replace(/é/g, '\\u00e9') });
    expect([one.statusCode, one.json().message]).toEqual([413, `A single message may be at most 32 KB; this one is ${Buffer.byteLength(over)} bytes. Split large properties or send them elsewhere.`]);
  });

  it('measures the 32 KB limit on each message as sent: the request body, or each element of `batch`', async () => {
    // Segment's libraries measure Buffer.byteLength(JSON.stringify(message)) against 32 KB (32,768 bytes).
    const sized = (bytes: number, over: Record<string, unknown>) => {
      const base = { ...over, properties: { x: '' } };
      const m = { ...base, properties: { x: 'y'.repeat(bytes - Buffer.byteLength(JSON.stringify(base))) } };
      expect(Buffer.byteLength(JSON.stringify(m))).toBe(bytes);
      return m;
    };
    // A body of exactly 32 KB (the write key in it counted): accepted, though the stored message is larger.
    const single = sized(32 * 1024, { userId: 'size-1', event: 'E', writeKey: KEYS.write });
    const one = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(single) });
    expect(one.statusCode, one.body).toBe(200);
    // One byte more: 413 with the size as sent.
    const more = sized(32 * 1024 + 1, { userId: 'size-1', event: 'E' });
    const big = await send(h.app, '/v1/track', more);
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'message_too_large', message: 'A single message may be at most 32 KB; this one is 32769 bytes. Split large properties or send them elsewhere.' });
    // In a batch, each element as sent: the batch's context (4 KB) merged into a 31 KB message is no reason to refuse it;
    // an element of 32,769 bytes is refused whatever its fields.
    const context = { note: 'c'.repeat(4_000) };
    const batch = [sized(31 * 1024, { type: 'track', userId: 'size-2', event: 'E' }), sized(32 * 1024 + 1, { type: 'track', userId: 'size-2', event: 'E', messageId: 'too-big' })];
    const r = await send(h.app, '/v1/batch', { context, batch });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, messageId: 'too-big', problems: [{ field: '(message)', message: 'A single message may be at most 32 KB; this one is 32769 bytes.' }] }] });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(), 'content-type': 'application/json' }, payload: '{"userId":' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toBe('invalid_json');
  });

  it('accepts analytics.js text/plain bodies on the short paths and gzip bodies', async () => {
    const t = await h.app.inject({ method: 'POST', url: '/v1/t', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ userId: 'ajs', event: 'Clicked', writeKey: KEYS.write }) });
    expect(t.statusCode, t.body).toBe(200);
    const b = await h.app.inject({ method: 'POST', url: '/v1/b', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ writeKey: KEYS.write, batch: [{ type: 'page', anonymousId: 'ajs-a' }] }) });
    expect(b.statusCode).toBe(200);
    const gz = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(), 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'gz', event: 'Zipped' }] })) });
    expect(gz.statusCode, gz.body).toBe(200);
  });

  it('answers CORS preflights for browser clients', async () => {
    const r = await h.app.inject({ method: 'OPTIONS', url: '/v1/t', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' } });
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('https://shop.example.com');
  });

  it("lets a browser's script read Retry-After (the client waits it before retrying an outcome)", async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/t', headers: { origin: 'https://shop.example.com', 'content-type': 'text/plain' }, payload: JSON.stringify({ userId: 'ajs', event: 'Clicked', writeKey: KEYS.write }) });
    expect(r.headers['access-control-expose-headers']).toBe('Retry-After');
  });

  it('declares the `suggestion` an error answer may carry', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const answer = doc.paths['/v1/profiles/{identifier}'].get.responses['404'].content['application/json'].schema;
    expect(answer.properties.suggestion.type).toBe('string');
  });

  it('serves health without a key, the OpenAPI document and readable docs', async () => {
    expect((await h.app.inject({ url: '/health' })).json()).toMatchObject({ status: 'ok', store: 'sqlite' });
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/track', '/v1/batch', '/v1/profiles/{identifier}', '/v1/config/{kind}']));
    const ui = await h.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('answers unknown routes with a 404 that says where the API is described', async () => {
    const r = await h.app.inject({ url: '/v2/nothing' });
    expect(r.statusCode).toBe(404);
    expect(r.json().message).toContain('/openapi.json');
  });
});
