import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_BODY_BYTES } from '../config/routes.js';
import { KEYS, basic, bearer, harness, type Harness } from '../../test/harness.js';

/**
 * A body over its route's limit is told by the route's own limit: Segment's batch routes a
 * `batch_too_large` (500 KB), its single calls a `message_too_large`, every other route a
 * `payload_too_large` naming the limit it enforces. Until 2026-12-06 POST /v1/decide/batch (1 MB)
 * answered a 1.1 MB body with the collection batch's "at most 500 KB" sentence, though it takes 700 KB.
 */
describe('a body over its route\'s limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  /** A JSON body of exactly `bytes` bytes. */
  const body = (bytes: number) => {
    const shell = '{"pad":""}';
    return `{"pad":"${'x'.repeat(bytes - shell.length)}"}`;
  };
  const post = (method: string, url: string, authorization: string, bytes: number) =>
    h.app.inject({ method: method as 'POST', url, headers: { authorization, 'content-type': 'application/json' }, payload: body(bytes) });

  /** Every operation of the document that reads a body, its path parameters filled in. */
  const operations = async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops)
      .filter((m) => m !== 'get' && m !== 'head')
      .map((m) => ({ method: m.toUpperCase(), url: path.replace(/\{[^}]+\}/g, 'x') })));
  };
  /** Segment's calls the document hides (analytics.js's short paths, `tact import`). */
  const HIDDEN_COLLECT = ['/v1/t', '/v1/i', '/v1/p', '/v1/s', '/v1/g', '/v1/a', '/v1/b', '/v1/import'];
  const BATCHES = ['/v1/batch', '/v1/b', '/v1/import'];

  it('names the limit a route enforces: its bytes are taken and one more is a 413 `payload_too_large`', async () => {
    const checked: string[] = [];
    for (const { method, url } of await operations()) {
      if (['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch'].includes(url)) continue;
      // A configuration document's PUT takes 16 MiB (a 20,000-item catalog), alone or with others; every other route 1 MiB.
      const over = await post(method, url, bearer(KEYS.admin), (method === 'PUT' && (url === '/v1/config' || url.startsWith('/v1/config/')) ? CONFIG_BODY_BYTES : 1024 * 1024) + 1);
      expect([over.statusCode, over.json().error], `${method} ${url}`).toEqual([413, 'payload_too_large']);
      const said = /accepts \(([\d,]+) bytes\)/.exec(over.json().message as string)?.[1];
      expect(said, over.json().message).toBeDefined();
      const limit = Number(said!.replace(/,/g, ''));
      expect((await post(method, url, bearer(KEYS.admin), limit + 1)).statusCode, `${method} ${url} ${limit + 1}`).toBe(413);
      const at = await post(method, url, bearer(KEYS.admin), limit);
      expect(at.statusCode, `${method} ${url} ${limit}: ${at.body.slice(0, 200)}`).not.toBe(413);
      checked.push(`${method} ${url}`);
    }
    // The walk reaches the routes it should (a renamed path would silently check nothing).
    expect(checked).toEqual(expect.arrayContaining(['POST /v1/decide/batch', 'POST /v1/decide', 'PUT /v1/config/x', 'PUT /v1/config', 'POST /v1/keys', 'DELETE /v1/keys/x', 'POST /v1/flags']));
    expect(checked.length).toBeGreaterThan(20);
  });

  it('takes a 700 KB body on POST /v1/decide/batch, and tells a 1.1 MB one its own limit, not a collection batch\'s', async () => {
    const taken = await post('POST', '/v1/decide/batch', bearer(KEYS.server), 700 * 1024);
    expect(taken.statusCode, taken.body.slice(0, 200)).toBe(400); // read, and refused for its fields
    const over = await post('POST', '/v1/decide/batch', bearer(KEYS.server), 1_100_064);
    expect([over.statusCode, over.json().error, over.json().message]).toEqual([413, 'payload_too_large', 'The request body is larger than this endpoint accepts (1,048,576 bytes).']);
  });

  it('takes a recommendations document with a 20,000-item catalog (≈ 1.5 MB) on PUT /v1/config/recommendations', async () => {
    const items = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`sku-${i}`, { name: `Item number ${i} of the shop's catalogue`, category: `category-${i % 40}`, price: 5 + (i % 300) }]));
    const payload = JSON.stringify({ document: { items }, reason: 'the whole catalog' });
    expect(payload.length).toBeGreaterThan(1024 * 1024);
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/recommendations', headers: { authorization: bearer(KEYS.admin), 'content-type': 'application/json' }, payload });
    expect(put.statusCode, put.body.slice(0, 300)).toBe(200);
    const read = await h.app.inject({ url: '/v1/config/recommendations', headers: { authorization: bearer(KEYS.admin) } });
    expect(Object.keys(read.json().body.items)).toHaveLength(20_000);
  });

  it('answers Segment\'s batch routes `batch_too_large` and its single calls `message_too_large` past 500 KB, quoting the size', async () => {
    const collect = [...HIDDEN_COLLECT, ...(await operations()).filter((o) => ['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch'].includes(o.url)).map((o) => o.url)];
    expect(collect).toHaveLength(15);
    for (const url of collect) {
      const over = await post('POST', url, basic(), 500 * 1024 + 1);
      const code = BATCHES.includes(url) ? 'batch_too_large' : 'message_too_large';
      expect([over.statusCode, over.json().error], url).toEqual([413, code]);
      expect(over.json().message, url).toContain(`${500 * 1024 + 1} bytes`);
    }
  });
});
