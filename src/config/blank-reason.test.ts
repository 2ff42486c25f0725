import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';

/**
 * A version's reason is kept with it for whoever reads the history later: until 2026-12-05 one of
 * spaces alone was stored (the schema asked for one character, and a space is one).
 */
describe('a blank reason or note in configuration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const put = (kind: string, document: unknown, reason: string) => h.app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason } });

  it('is a 400 naming `reason`, saying it is blank, and stores nothing', async () => {
    for (const reason of ['   ', '\n\t ']) {
      const r = await put('flags', [], reason);
      expect([r.statusCode, r.json().error, r.json().problems], r.body).toEqual([400, 'validation_failed', [{ field: 'reason', message: 'The `reason` is blank (only white space): it is kept with the change for whoever reads it later, so say it in words.' }]]);
    }
    expect(await h.store.documents.latest('flags')).toBeUndefined();
    expect((await put('flags', [], ' why ')).statusCode).toBe(200);
  });

  it('the same on the routes that change configuration or clear data by name (features, tracking-plan violations)', async () => {
    const admin = { authorization: bearer(KEYS.admin) };
    const add = await h.app.inject({ method: 'POST', url: '/v1/features', headers: admin, payload: { name: 'orders', kind: 'count', event: 'Order Completed', reason: '  ' } });
    expect([add.statusCode, add.json().problems?.[0]?.field], add.body).toEqual([400, 'reason']);
    expect((await h.app.inject({ method: 'POST', url: '/v1/features', headers: admin, payload: { name: 'orders', kind: 'count', event: 'Order Completed' } })).statusCode).toBe(201);
    const remove = await h.app.inject({ method: 'DELETE', url: '/v1/features/orders?reason=%20%20', headers: admin });
    expect([remove.statusCode, remove.json().problems?.[0]?.field], remove.body).toEqual([400, 'querystring.reason']);
    const clear = await h.app.inject({ method: 'DELETE', url: '/v1/tracking-plan/violations?all=true&reason=%20', headers: admin });
    expect([clear.statusCode, clear.json().problems?.[0]?.field], clear.body).toEqual([400, 'querystring.reason']);
  });

  it('a declared flag\'s blank note is named where it stands', async () => {
    const r = await put('flags', [{ account: 'acme', name: 'pause', note: '  ' }], 'pause acme');
    expect([r.statusCode, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, ['flags[0].note']]);
  });
});
