import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserModuleRoutes } from './routes.js';

// If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared weakly (§8.8.3.2: W/"x"
// matches "x"), so a tag a proxy weakened on compression, or one of several the browser holds, is
// still "not modified".
describe('GET /tact/browser.js revalidation', () => {
  const app = Fastify();
  let etag = '';
  beforeAll(async () => {
    await browserModuleRoutes(app);
    const first = await app.inject({ method: 'GET', url: '/tact/browser.js' });
    expect(first.statusCode).toBe(200);
    etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });
  afterAll(() => app.close());

  const revalidate = (ifNoneMatch: string) => app.inject({ method: 'GET', url: '/tact/browser.js', headers: { 'if-none-match': ifNoneMatch } });

  it('answers 304 with the ETag and caching headers for the current tag', async () => {
    const r = await revalidate(etag);
    expect(r.statusCode).toBe(304);
    expect(r.body).toBe('');
    expect(r.headers.etag).toBe(etag);
    expect(r.headers['cache-control']).toBe('public, max-age=300');
  });

  it.each([
    ['the weak form of the tag', () => `W/${etag}`],
    ['a list holding the tag', () => `"old", ${etag}`],
    ['a list holding the weak tag', () => `W/"old" ,W/${etag}`],
    ['"*"', () => '*'],
  ])('answers 304 for %s', async (_, header) => {
    expect((await revalidate(header())).statusCode).toBe(304);
  });

  it.each([['another tag', '"old"'], ['a list without the tag', '"a", W/"b"'], ['the tag without its quotes', () => etag.slice(1, -1)]])('answers 200 with the module for %s', async (_, header) => {
    const r = await revalidate(typeof header === 'function' ? header() : header);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });
});
