import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { KEY_KINDS } from './openapi-security.js';

/** An `x-` key of an operation other than the one it publishes (`x-tact-key`, openapi-security.ts): an internal mark left in. */
const internalMark = (k: string) => k.startsWith('x-') && k !== KEY_KINDS;

/**
 * Inputs a route reads are declared in its schema: checked (a string of bounded length), refused
 * with a 400 naming the field, and described in the OpenAPI document.
 */
describe('inputs the routes read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const admin = { authorization: bearer(KEYS.admin) };
  const addFeature = (name: string) => h.app.inject({ method: 'POST', url: '/v1/features', headers: admin, payload: { name, kind: 'count', event: 'Order Completed' } });
  const history = async () => (await h.app.inject({ url: '/v1/config/features/history', headers: admin })).json().versions as { reason: string }[];

  it('DELETE /v1/features/{name}: `reason` is one string of at most 500 characters, else a 400 naming it', async () => {
    expect((await addFeature('orders')).statusCode).toBe(201);
    for (const query of ['reason=a&reason=b', `reason=${'x'.repeat(501)}`]) {
      const r = await h.app.inject({ method: 'DELETE', url: `/v1/features/orders?${query}`, headers: admin });
      expect([r.statusCode, r.json().error], r.body).toEqual([400, 'validation_failed']);
      expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual(['querystring.reason']);
    }
    const ok = await h.app.inject({ method: 'DELETE', url: '/v1/features/orders?reason=no%20longer%20used', headers: admin });
    expect(ok.json()).toMatchObject({ removed: 'orders' });
    expect((await history())[0].reason).toBe('no longer used');
  });

  it('POST /v1/models/{name}/rollback: the body is optional, `{reason}` a string of at most 500 characters, nothing else', async () => {
    for (const payload of [{ reason: 'x'.repeat(501) }, { reason: 'fine', force: true }, { reason: 5 }]) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/models/rates/rollback', headers: admin, payload });
      expect([r.statusCode, r.json().error], r.body).toEqual([400, 'validation_failed']);
      expect(r.json().message, r.body).toMatch(/`?(reason|force)`?/);
      expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual([Object.keys(payload).at(-1)]);
    }
    // With no body or a reason, it reaches the registry: nothing to roll back to on a fresh store.
    for (const payload of [undefined, { reason: 'bad model' }]) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/models/rates/rollback', headers: admin, ...(payload ? { payload } : {}) });
      expect(r.json().error, r.body).not.toBe('validation_failed');
      expect(r.statusCode, r.body).toBeLessThan(500);
    }
  });

  it('are described in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const del = doc.paths['/v1/features/{name}'].delete;
    expect(del.parameters.find((p: { in: string; name: string }) => p.in === 'query' && p.name === 'reason')).toMatchObject({ schema: { type: 'string', maxLength: 500 } });
    const rollback = doc.paths['/v1/models/{name}/rollback'].post;
    expect(rollback.requestBody.content['application/json'].schema.properties.reason).toMatchObject({ type: 'string', maxLength: 500 });
    expect(rollback.requestBody.required).toBe(false);
    expect(Object.keys(rollback).filter(internalMark)).toEqual([]);
    // Other bodies stay required.
    expect(doc.paths['/v1/models/{name}/promote'].post.requestBody.required).toBe(true);
  });

  it('a body the document marks required is refused when left out, and one it marks optional is not: the document says what the routes do', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>> };
    const optional: string[] = [];
    let required = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op.requestBody) continue;
        // A name no record has: a route that takes the missing body goes on to answer 404 (or 200), one that refuses it a 400.
        const url = path.replace(/\{[^}]+\}/g, 'no-such-name');
        const r = await h.app.inject({ method: method.toUpperCase() as 'POST', url, headers: admin });
        if (op.requestBody.required === false) {
          optional.push(`${method.toUpperCase()} ${path}`);
          expect(r.json().error, `${method.toUpperCase()} ${path}, optional body left out: ${r.body}`).not.toBe('validation_failed');
        } else {
          required++;
          expect([r.statusCode, r.json().error], `${method.toUpperCase()} ${path}, required body left out: ${r.body}`).toEqual([400, 'validation_failed']);
        }
        expect(r.statusCode, `${method.toUpperCase()} ${path}: ${r.body}`).toBeLessThan(500);
      }
    }
    expect(required).toBeGreaterThan(10);
    expect(optional.sort()).toEqual(['DELETE /v1/features/{name}', 'POST /v1/alerts/{id}/ack', 'POST /v1/models/{name}/rollback', 'POST /v1/monitors/step', 'POST /v1/reviews/{id}/approve', 'POST /v1/reviews/{id}/reject']);
    // A step takes no options: one sent anyway is named, not run over.
    const step = await h.app.inject({ method: 'POST', url: '/v1/monitors/step', headers: admin, payload: { x: 1 } });
    expect([step.statusCode, step.json().message]).toEqual([400, 'The `x` property is not one this endpoint takes.']);
    for (const path of ['/v1/alerts/{id}/ack', '/v1/monitors/step', '/v1/reviews/{id}/approve', '/v1/reviews/{id}/reject']) {
      expect(Object.keys(doc.paths[path].post).filter(internalMark), path).toEqual([]);
    }
  });
});
