import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';

/**
 * QA, 2026-12-05: most refusals of a query parameter name it `querystring.<name>`, as
 * docs/errors.md shows (`querystring.limit`), but those a core makes after the schema named it
 * bare: `before` on /v1/reviews, `key` on a model's calibration, `placement` and `to` on the
 * holdout results. The same cores name a body's field bare, as the body's fields are named.
 */
describe('a query parameter refused after the schema', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
  });
  afterAll(async () => h.close());

  it.each([
    ['/v1/reviews?before=zzz', 'querystring.before'],
    ['/v1/models/rates/calibration?key=zzz', 'querystring.key'],
    ['/v1/holdout/results?placement=nope', 'querystring.placement'],
    ['/v1/holdout/results?from=2026-12-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'querystring.to'],
    // Named so already: unchanged.
    ['/v1/decisions?after=garbage', 'querystring.after'],
  ])('GET %s names %s', async (url, field) => {
    const r = await get(h.app, url);
    expect([r.statusCode, r.json().error, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, 'validation_failed', [field]]);
    expect(r.json().message).toBe(r.json().problems[0].message);
  });

  it('names a body\'s field as the body names it, on a route whose core also reads it from a query', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/evaluate-policy', headers: { authorization: bearer(KEYS.server) }, payload: { placement: 'nope', candidate: { exploration: 0.2 } } });
    expect([r.statusCode, r.json().problems?.[0]?.field], r.body).toEqual([400, 'placement']);
  });
});
