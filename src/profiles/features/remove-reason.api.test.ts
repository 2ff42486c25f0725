import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, harness, KEYS, type Harness } from '../../../test/harness.js';

/** DELETE /v1/features/{name} takes its `reason` from the query or from a JSON body (until 2026-12-06 a body's was a 400). */
describe('DELETE /v1/features/{name}: the reason', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const admin = { authorization: bearer(KEYS.admin) };
  const add = async (name: string) => expect((await h.app.inject({ method: 'POST', url: '/v1/features', headers: admin, payload: { name, kind: 'count', event: 'Order Completed' } })).statusCode).toBe(201);
  const remove = (name: string, query: string, payload?: Record<string, unknown>) => h.app.inject({ method: 'DELETE', url: `/v1/features/${name}${query}`, headers: admin, ...(payload === undefined ? {} : { payload }) });
  const lastReason = async () => ((await h.app.inject({ url: '/v1/config/features/history', headers: admin })).json().versions as { reason: string }[])[0].reason;

  it('is kept when sent in a JSON body, or the same in both places', async () => {
    await add('orders');
    const r = await remove('orders', '', { reason: 'no longer used' });
    expect([r.statusCode, r.json()], r.body).toEqual([200, { removed: 'orders', version: expect.any(Number) }]);
    expect(await lastReason()).toBe('no longer used');
    await add('orders');
    expect((await remove('orders', '?reason=same', { reason: 'same' })).statusCode).toBe(200);
    expect(await lastReason()).toBe('same');
  });

  it('is still read from the query, and defaults without either', async () => {
    await add('views');
    expect((await remove('views', '?reason=from%20query')).statusCode).toBe(200);
    expect(await lastReason()).toBe('from query');
    await add('views');
    expect((await remove('views', '')).statusCode).toBe(200);
    expect(await lastReason()).toBe('remove feature views');
  });

  it('is a 400 naming the field when the two differ, when blank, or when the body holds anything else', async () => {
    await add('logins');
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ['?reason=one', { reason: 'two' }, 'reason'],
      ['', { reason: '  ' }, 'reason'],
      ['?reason=%20', undefined, 'querystring.reason'],
      ['', { reason: 'fine', author: 'ana' }, 'author'],
      ['', { reason: 'x'.repeat(501) }, 'reason'],
    ];
    for (const [query, payload, field] of cases) {
      const r = await remove('logins', query, payload);
      expect([r.statusCode, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, [field]]);
    }
    expect((await remove('logins', '?reason=one', { reason: 'two' })).json().message).toMatch(/body differs from the `reason` in the query/);
  });

  it('is described in the OpenAPI document as an optional body', async () => {
    const del = (await h.app.inject({ url: '/openapi.json' })).json().paths['/v1/features/{name}'].delete;
    expect(del.requestBody.required).toBe(false);
    expect(del.requestBody.content['application/json'].schema.properties.reason).toMatchObject({ type: 'string', maxLength: 500 });
  });
});
