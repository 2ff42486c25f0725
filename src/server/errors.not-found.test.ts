import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';

/**
 * A route that finds nothing to serve and hands the request to the not-found handler (the docs'
 * static files, @fastify/static's `callNotFound`) answers 404, not a 405 saying the path does not
 * take the very method it was asked with.
 */
describe('a route that finds nothing to serve', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('answers 404 `route_not_found` for a file the docs do not have', async () => {
    for (const url of ['/docs/static/no-such-file.js', '/docs/static/..%2f..%2fpackage.json']) {
      const r = await h.app.inject({ method: 'GET', url });
      expect([r.statusCode, r.json().error, r.headers.allow], url).toEqual([404, 'route_not_found', undefined]);
    }
  });

  it('still answers 405 for a method the docs do not take', async () => {
    const r = await h.app.inject({ method: 'DELETE', url: '/docs/static/index.html' });
    expect([r.statusCode, r.json().error]).toEqual([405, 'method_not_allowed']);
  });
});
