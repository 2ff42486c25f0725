import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, harness, type Harness } from '../../test/harness.js';
import { syntaxDetail } from './errors.js';

describe('the answers to requests no route takes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
    h.app.get('/failing', async () => { throw new Error('secret detail at /srv/tact/handler.ts:12'); });
    // A SyntaxError no parser of ours caught (Node's message quotes the text it read).
    h.app.post('/parsing', async () => JSON.parse('{"writeKey": tact_w_quoted-0123456789}') as unknown);
  });
  afterAll(async () => h.close());

  it('answers 405 naming the methods a known path takes, with an Allow header', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/v1/track', headers: { authorization: bearer() } });
    expect(r.statusCode).toBe(405);
    expect(r.headers.allow).toBe('POST');
    expect(r.json()).toMatchObject({ error: 'method_not_allowed', message: 'The route /v1/track takes POST, not GET.' });
    const byId = await h.app.inject({ method: 'PUT', url: '/v1/keys/k-1?x=1', headers: { authorization: bearer() } });
    expect([byId.statusCode, byId.headers.allow, byId.json().message]).toEqual([405, 'DELETE', 'The route /v1/keys/k-1 takes DELETE, not PUT.']);
  });

  it('still answers 404 for a path no route takes', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v2/nothing' });
    expect([r.statusCode, r.json().error]).toEqual([404, 'route_not_found']);
  });

  it('says where a JSON body stops being JSON, in one sentence', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(), 'content-type': 'application/json' }, payload: '{"subject": "ana",}' });
    expect([r.statusCode, r.json().error]).toEqual([400, 'invalid_json']);
    expect(r.json().message).toMatch(/^The request body is not valid JSON: .*position 18[^.]*\.$/);
    const empty = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(), 'content-type': 'application/json' }, payload: '' });
    // An empty body is told as such (errors.body.test.ts), not as JSON with a fault somewhere in it.
    expect([empty.statusCode, empty.json().error]).toEqual([400, 'empty_body']);
  });

  it('says a body whose Content-Encoding is wrong or unknown is that, not that its JSON is bad', async () => {
    const post = (encoding: string) => h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(), 'content-type': 'application/json', 'content-encoding': encoding }, payload: '{"subject":"ana"}' });
    const notGzip = await post('gzip');
    expect([notGzip.statusCode, notGzip.json().error]).toEqual([400, 'invalid_content_encoding']);
    expect(notGzip.json().message).toMatch(/^The request body is not gzip data, as its `Content-Encoding` header says/);
    const brotli = await post('br');
    expect([brotli.statusCode, brotli.json().error]).toEqual([415, 'unsupported_content_encoding']);
    expect(brotli.json().message).toContain('`br`');
    expect((await post('identity')).json().error).toBe('validation_failed');
  });

  it('answers 500 with an error id and none of the fault\'s own text', async () => {
    const r = await h.app.inject({ url: '/failing' });
    expect(r.statusCode).toBe(500);
    const body = r.json();
    expect(body).toMatchObject({ error: 'internal', errorId: expect.any(String) });
    expect(body.message).toContain(body.errorId);
    expect(r.body).not.toMatch(/secret|at \/|\.ts:/);
  });

  it('answers a SyntaxError no parser caught as the server\'s fault, without the text Node\'s message quotes', async () => {
    // The body was read fine: the fault is not the client's (errors.store-faults.test.ts has more).
    const r = await h.app.inject({ method: 'POST', url: '/parsing', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect([r.statusCode, r.json().error]).toEqual([500, 'internal']);
    expect(r.body).not.toMatch(/tact_w|quoted|0123|JSON/);
    // Where the body is text, with the position in it instead.
    const text = '{"writeKey": tact_w_quoted-0123456789}';
    const err = (() => { try { JSON.parse(text); } catch (e) { return e as SyntaxError; } throw new Error('parsed'); })();
    expect(syntaxDetail(err, text)).toBe("Unexpected token 'a' in JSON at position 13");
  });

  it('says a position the same way on every Node: Node 24 adds the line and column, which are dropped', () => {
    const text = '{"a":1}}';
    // Node 20 and 22: "…after JSON at position 7"; Node 24: "…after JSON at position 7 (line 1 column 8)".
    const node24 = new SyntaxError('Unexpected non-whitespace character after JSON at position 7 (line 1 column 8)');
    expect(syntaxDetail(node24, text)).toBe('Unexpected non-whitespace character after JSON at position 7');
    const here = (() => { try { JSON.parse(text); } catch (e) { return e as SyntaxError; } throw new Error('parsed'); })();
    expect(syntaxDetail(here, text)).toBe('Unexpected non-whitespace character after JSON at position 7');
  });
});
