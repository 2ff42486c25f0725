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

/**
 * QA, 2026-12-06: GET /v1/decisions?action=<typo> (or placement) answered an empty page and nothing
 * else — read as "never chosen". An empty first page for an id the catalog does not have says so,
 * with the closest id; an action removed from the catalog but still in the log answers without one.
 */
describe('GET /v1/decisions names an action or placement the catalog does not have', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    expect((await decideReq(h.app, { subject: 'ana', placement: 'home' })).statusCode).toBe(200);
    const d = (await h.store.decisions.queryDecisions({ limit: 1 }))[0];
    await h.store.decisions.appendDecision({ ...d, id: 'd-retired', choices: [{ ...d.choices[0], action: 'retired-offer' }] });
  });
  afterAll(async () => h.close());

  it.each([
    ['action=socks-ofer', 'action', 'socks-offer'],
    ['placement=hom', 'placement', 'home'],
    ['placement=Home', 'placement', 'home'],
  ])('?%s: an empty page with a warning on `%s` naming `%s`', async (query, field, suggestion) => {
    const r = await get(h.app, `/v1/decisions?${query}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ decisions: [], next: null, warnings: [{ field, suggestion }] });
    expect(r.json().warnings[0].message).toContain(`did you mean \`${suggestion}\`?`);
  });

  it('says nothing of an id far from every one (no likely typo), as the outcomes\' `action` does', async () => {
    expect((await get(h.app, '/v1/decisions?action=zzzzzzzz')).json()).toEqual({ decisions: [], next: null });
  });

  it('finds an action no longer in the catalog, and the log\'s own filters, without a warning', async () => {
    const r = await get(h.app, '/v1/decisions?action=retired-offer');
    expect(r.json().decisions.map((d: { decisionId: string }) => d.decisionId)).toEqual(['d-retired']);
    expect(r.json().warnings).toBeUndefined();
    for (const q of ['action=none', 'action=queue:legal', 'action=socks-offer&placement=weekly-email']) expect((await get(h.app, `/v1/decisions?${q}`)).json().warnings, q).toBeUndefined();
  });
});
