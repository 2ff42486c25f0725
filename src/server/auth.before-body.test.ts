import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, bearer, harness, type Harness } from '../../test/harness.js';

/**
 * A key that travels in a header is checked before the body is read (onRequest): a stranger gets
 * its 401 (or 403) without the server reading, decompressing or parsing what it sent, and without
 * learning how the API validates bodies. Only a collection request without an `Authorization`
 * header, or with a Bearer token none of Tact's keys, has its body read first, as analytics.js (and
 * Segment's clients with OAuth) put `writeKey` there.
 */
describe('the key is checked before the body is read', () => {
  let h: Harness;
  let port = 0;
  const open: ClientRequest[] = [];
  beforeAll(async () => {
    h = await harness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterEach(() => {
    for (const r of open.splice(0)) r.destroy();
  });
  afterAll(async () => {
    await h.close();
  });

  const twoMb = JSON.stringify({ subject: 'ana', placement: 'home', context: { pad: 'x'.repeat(2 * 1024 * 1024) } });
  /** Bodies each refused before the handler when the key is good: [route, content type, body, status when the key is good]. */
  const bad: [string, string, string, number][] = [
    ['/v1/decide', 'application/json', '{"subject": "ana",', 400],
    ['/v1/decide', 'application/json', '{"placement": 7}', 400],
    ['/v1/decide', 'application/json', twoMb, 413],
    ['/v1/decide', 'application/xml', '<subject>ana</subject>', 415],
    ['/v1/keys', 'application/json', 'not json', 400],
    ['/v1/track', 'application/json', '{"userId":', 400],
    ['/v1/batch', 'application/json', JSON.stringify({ batch: [{ type: 'track', userId: 'ana', event: 'x'.repeat(600 * 1024) }] }), 413],
    ['/v1/t', 'application/xml', '<track/>', 415],
  ];
  const post = (url: string, contentType: string, payload: string, authorization?: string) =>
    h.app.inject({ method: 'POST', url, headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) }, payload });

  const isCollection = (url: string) => ['/v1/track', '/v1/batch', '/v1/t'].includes(url);

  it('answers a wrong Bearer or Basic key with 401 whatever the body, not the 400, 413 or 415 the body earns', async () => {
    for (const [url, type, body] of bad) {
      // On collection, a Bearer token none of Tact's is read past (the next test).
      const bearers = isCollection(url) ? [] : ['Bearer tact_a_not-a-key'];
      for (const authorization of [...bearers, ...(url === '/v1/keys' ? [] : [basic('tact_w_not-a-key')])]) {
        const res = await post(url, type, body, authorization);
        expect([res.statusCode, res.json().error], `${url} ${type} ${authorization}`).toEqual([401, 'invalid_credentials']);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="tact"');
      }
    }
  });

  it('reads a collection body past a Bearer token none of its keys (Segment OAuth: the write key is in the body), answering as with no header', async () => {
    for (const [url, type, body] of bad.filter(([u]) => isCollection(u))) {
      const withToken = await post(url, type, body, 'Bearer tact_a_not-a-key');
      const without = await post(url, type, body);
      expect([withToken.statusCode, withToken.json().error], `${url} ${type}`).toEqual([without.statusCode, without.json().error]);
      expect(withToken.statusCode, `${url} ${type}`).not.toBe(200);
    }
    const noWriteKey = await post('/v1/batch', 'text/plain', JSON.stringify({ batch: [] }), 'Bearer tact_a_not-a-key');
    expect([noWriteKey.statusCode, noWriteKey.json().error]).toEqual([401, 'invalid_credentials']);
  });

  it('answers no key, a malformed header or a key of too weak a kind before the body too, outside collection', async () => {
    for (const [url, type, body] of bad.filter(([u]) => u === '/v1/decide' || u === '/v1/keys')) {
      expect((await post(url, type, body)).json().error, `${url} ${type}`).toBe('missing_credentials');
      expect((await post(url, type, body, 'Token abc')).json().error, `${url} ${type}`).toBe('malformed_credentials');
    }
    const weak = await post('/v1/keys', 'application/json', 'not json', bearer(KEYS.server));
    expect([weak.statusCode, weak.json().error]).toEqual([403, 'forbidden']);
  });

  it('gives the same bodies their 400, 413 or 415 when the key is good', async () => {
    for (const [url, type, body, status] of bad) {
      const key = url === '/v1/keys' ? bearer(KEYS.admin) : url === '/v1/decide' ? bearer(KEYS.server) : basic();
      expect((await post(url, type, body, key)).statusCode, `${url} ${type}`).toBe(status);
    }
  });

  /** Sends the headers and the start of a body, keeps the body open, and resolves with the answer. */
  const answerWhileSending = (path: string, headers: Record<string, string>) => new Promise<{ res: IncomingMessage; stillSending: boolean; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': '100000', ...headers } });
    open.push(req);
    req.on('error', reject);
    req.on('response', (res) => {
      const stillSending = !req.writableEnded;
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ res, stillSending, body }));
    });
    req.write('{"subject":"ana","placement":"home","context":{"pad":"');
  });

  it('answers 401 while the body is still arriving, without waiting for it', async () => {
    for (const headers of [{ authorization: 'Bearer tact_s_not-a-key' }, { authorization: basic('tact_w_not-a-key') }, {} as Record<string, string>]) {
      const { res, stillSending, body } = await answerWhileSending('/v1/decide', headers);
      expect([res.statusCode, stillSending, JSON.parse(body).error], JSON.stringify(headers)).toEqual([401, true, headers.authorization ? 'invalid_credentials' : 'missing_credentials']);
      // The rest of the body is not read: the connection closes (as Fastify does after a body it refuses).
      expect(res.headers.connection).toBe('close');
    }
    // A collection request with a wrong key in its header is refused the same way.
    const { res, stillSending } = await answerWhileSending('/v1/batch', { authorization: basic('tact_w_not-a-key') });
    expect([res.statusCode, stillSending]).toEqual([401, true]);
  });

  it('reads a collection body without an Authorization header, for its writeKey, but no more of it than the route takes', async () => {
    const t = await post('/v1/t', 'text/plain', JSON.stringify({ type: 'track', userId: 'ana', event: 'Signed Up', writeKey: KEYS.write }));
    expect(t.statusCode).toBe(200);
    const wrong = await post('/v1/batch', 'text/plain', JSON.stringify({ writeKey: 'tact_w_not-a-key', batch: [] }));
    expect([wrong.statusCode, wrong.json().error]).toEqual([401, 'invalid_credentials']);
    // The bound: past the batch limit (500 KB) the body is refused unread, key or no key.
    const big = await post('/v1/batch', 'text/plain', JSON.stringify({ writeKey: KEYS.write, batch: [{ type: 'track', userId: 'ana', event: 'x'.repeat(600 * 1024) }] }));
    expect([big.statusCode, big.json().error]).toEqual([413, 'batch_too_large']);
  });
});
