import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, bearer, harness, type Harness } from '../../test/harness.js';

/**
 * Fastify's own refusals of a request body, each with its catalogue code and a sentence naming the
 * header or the body at fault (docs/errors.md) — not `invalid_json`, which is for a body that is
 * there and is not JSON.
 */
describe('refusals of a body before it is parsed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  /** [route, the key it takes, a body the route takes]. */
  const routes: [string, string, string][] = [
    ['/v1/decide', bearer(KEYS.server), '{"subject":"ana","placement":"home"}'],
    ['/v1/keys', bearer(KEYS.admin), '{"kind":"write","label":"shop"}'],
    ['/v1/track', basic(), '{"userId":"ana","event":"Signed Up"}'],
    ['/v1/batch', basic(), '{"batch":[{"type":"track","userId":"ana","event":"Signed Up"}]}'],
  ];
  const post = (url: string, headers: Record<string, string>, payload: string | Buffer | Readable) => h.app.inject({ method: 'POST', url, headers, payload });
  type Answer = Awaited<ReturnType<typeof post>>;
  const answered = (r: Answer) => [r.statusCode, r.json().error, r.json().message];

  it('answers an empty body sent as JSON `empty_body`, naming the Content-Type header and the body', async () => {
    for (const [url, authorization] of routes) {
      for (const type of ['application/json', 'application/json; charset=utf-8', 'text/plain']) {
        const r = await post(url, { authorization, 'content-type': type }, '');
        expect(answered(r), `${url} ${type}`).toEqual([400, 'empty_body', `The request body is empty, but its \`Content-Type\` header says ${type}: send a JSON body, or leave the header out when sending none.`]);
      }
    }
  });

  it('answers an empty body sent as JSON `empty_body` on a route that takes no body too', async () => {
    const r = await h.app.inject({ method: 'DELETE', url: '/v1/keys/no-such-key', headers: { authorization: bearer(KEYS.admin), 'content-type': 'application/json' }, payload: '' });
    expect([r.statusCode, r.json().error]).toEqual([400, 'empty_body']);
    const without = await h.app.inject({ method: 'DELETE', url: '/v1/keys/no-such-key', headers: { authorization: bearer(KEYS.admin) } });
    expect([without.statusCode, without.json().error]).toEqual([404, 'not_found']);
  });

  it('answers a QUERY without a Content-Type (RFC 10008 §2: refused) as the method no route takes, not as a body', async () => {
    const known = await h.app.inject({ method: 'QUERY' as 'GET', url: '/v1/keys' });
    const put = await h.app.inject({ method: 'PUT', url: '/v1/keys' });
    expect([known.statusCode, known.json().error, known.headers.allow]).toEqual([405, 'method_not_allowed', put.headers.allow]);
    expect(known.json().message).toBe(`The route /v1/keys takes ${put.headers.allow as string}, not QUERY.`);
    const unknown = await h.app.inject({ method: 'QUERY' as 'GET', url: '/v2/nothing' });
    expect([unknown.statusCode, unknown.json().error]).toEqual([404, 'route_not_found']);
  });

  it('answers a body shorter or longer than its Content-Length `content_length_mismatch`, naming the header', async () => {
    for (const [url, authorization, body] of routes) {
      for (const length of [Buffer.byteLength(body) + 20, Buffer.byteLength(body) - 5]) {
        const r = await post(url, { authorization, 'content-type': 'application/json', 'content-length': String(length) }, body);
        expect(answered(r), `${url} ${length}`).toEqual([400, 'content_length_mismatch', `The request body is not as long as its \`Content-Length\` header says (${length} bytes); send the body's length in bytes, or leave the header out and send the body chunked.`]);
      }
    }
  });

  it('answers a body whose stream failed before its end (the client closed the connection) `body_incomplete`', async () => {
    for (const [url, authorization, body] of routes) {
      const stream = new Readable({ read() {} });
      stream.push(body.slice(0, 10));
      // What Node's IncomingMessage emits when the connection closes inside the body.
      setImmediate(() => stream.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      const r = await post(url, { authorization, 'content-type': 'application/json' }, stream);
      expect(answered(r), url).toEqual([400, 'body_incomplete', 'The request body did not all arrive: the connection closed, or the body\'s stream failed, before its end. Send the request again.']);
    }
  });

  it('still answers a body that is there but is not JSON `invalid_json`', async () => {
    for (const [url, authorization] of routes) {
      const r = await post(url, { authorization, 'content-type': 'application/json' }, '{"a":');
      expect([r.statusCode, r.json().error], url).toEqual([400, 'invalid_json']);
    }
  });

  it('answers a body of another media type, or none named, 415 naming the Content-Type header', async () => {
    for (const [url, authorization, body] of routes) {
      for (const [headers, said] of [
        [{ 'content-type': 'application/xml' }, 'application/xml'],
        [{ 'content-type': 'application/x-www-form-urlencoded' }, 'application/x-www-form-urlencoded'],
        [{}, 'not given'],
      ] as const) {
        const r = await post(url, { authorization, ...headers }, body);
        expect(answered(r), `${url} ${said}`).toEqual([415, 'unsupported_media_type', `The request body must be JSON (Content-Type: application/json); it was ${said}.`]);
      }
    }
  });

  it('answers a body over the route\'s limit 413, as sent and once decompressed', async () => {
    // Limits: 1 MB by default (app.ts), 32 KB a message and 500 KB a batch (Segment's, normalize.ts).
    const big = (n: number) => JSON.stringify({ subject: 'ana', placement: 'home', userId: 'ana', event: 'x', batch: [], pad: 'x'.repeat(n) });
    for (const [url, authorization, size, code] of [
      ['/v1/decide', bearer(KEYS.server), 1_100_000, 'payload_too_large'],
      ['/v1/track', basic(), 40_000, 'message_too_large'],
      ['/v1/batch', basic(), 600_000, 'batch_too_large'],
    ] as const) {
      const plain = await post(url, { authorization, 'content-type': 'application/json' }, big(size));
      expect([plain.statusCode, plain.json().error], url).toEqual([413, code]);
      const gz = await post(url, { authorization, 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(big(size)));
      expect([gz.statusCode, gz.json().error], `${url} gzip`).toEqual([413, code]);
    }
  });
});
