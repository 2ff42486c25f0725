import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq } from '../test-http.js';

/**
 * QA, 2026-12-05: GET /v1/decisions answered a blank `subject`, `action` or `placement` (`?subject=`
 * from an unset variable) and a window whose `to` is not after its `from` with a 200 and no
 * decisions — a typo read as "none". Each is a 400 naming the query parameter, as the holdout's
 * and experiments' windows and the other routes' query parameters are named (server/query-fields.ts).
 */
describe('GET /v1/decisions refuses filters that can match nothing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    expect((await decideReq(h.app, { subject: 'ana', placement: 'home' })).statusCode).toBe(200);
  });
  afterAll(async () => h.close());

  it.each([
    ['subject=', 'querystring.subject', /^The `subject` is blank/],
    ['subject=%20%20', 'querystring.subject', /^The `subject` is blank/],
    ['placement=', 'querystring.placement', /^The `placement` is empty/],
    ['placement=%20', 'querystring.placement', /^The `placement` is blank \(only white space\)/],
    ['action=', 'querystring.action', /^The `action` is empty/],
    ['from=2026-12-05T00:00:00Z&to=2026-12-01T00:00:00Z', 'querystring.to', /^The window's `to` \(2026-12-01T00:00:00.000Z\) is not after its `from` \(2026-12-05T00:00:00.000Z\)/],
    // `to` is exclusive: a window from a time to the same time holds nothing.
    ['from=2026-12-01T01:00:00%2B01:00&to=2026-12-01T00:00:00Z', 'querystring.to', /is not after its `from`/],
  ])('?%s is a 400 naming %s', async (query, field, message) => {
    const r = await get(h.app, `/v1/decisions?${query}`);
    expect([r.statusCode, r.json().error, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, 'validation_failed', [field]]);
    expect(r.json().problems[0].message).toMatch(message);
  });

  it('still lists by a subject, placement and window that can match', async () => {
    const r = await get(h.app, `/v1/decisions?subject=ana&placement=home&from=2000-01-01T00:00:00Z&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().decisions).toHaveLength(1);
  });
});
