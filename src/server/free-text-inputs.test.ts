import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { MAX_FREE_TEXT } from './free-text.js';

/** The names of request fields that hold free text: why a change was made, a note, who made it. */
const FREE_TEXT = new Set(['reason', 'description', 'note', 'author', 'reviewer', 'by']);

/**
 * Free text a request carries (a `reason`, a `note`, an `author`) is kept with what it changes, in
 * histories the console lists and lines the log writes: every such field is bounded by one limit,
 * and one too long is a 400 naming it.
 */
describe('free-text request fields', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const admin = { authorization: bearer(KEYS.admin) };
  const long = 'x'.repeat(MAX_FREE_TEXT + 1);

  it(`are each at most ${MAX_FREE_TEXT} characters in every route's body and querystring`, async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const found: string[] = [];
    const unbounded: string[] = [];
    const walk = (s: { type?: unknown; maxLength?: number; properties?: Record<string, unknown>; items?: unknown } | undefined, where: string, name: string) => {
      if (!s || typeof s !== 'object') return;
      if (FREE_TEXT.has(name) && (s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string')))) {
        found.push(where);
        if (s.maxLength !== MAX_FREE_TEXT) unbounded.push(`${where} (maxLength ${s.maxLength ?? 'none'})`);
      }
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v as typeof s, `${where}.${k}`, k);
      if (s.items) walk(s.items as typeof s, `${where}[]`, name);
    };
    for (const [path, ops] of Object.entries<Record<string, { parameters?: { in: string; name: string; schema: never }[]; requestBody?: { content: Record<string, { schema: never }> } }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) if (p.in === 'query') walk(p.schema, `${method.toUpperCase()} ${path} query`, p.name);
        walk(op.requestBody?.content['application/json']?.schema, `${method.toUpperCase()} ${path} body`, '');
      }
    }
    // The walk reaches the routes it should (a renamed OpenAPI path would silently check nothing).
    expect(found).toEqual(expect.arrayContaining(['PUT /v1/config/{kind} body.reason', 'POST /v1/flags body.note', 'POST /v1/alerts/{id}/ack body.by']));
    expect(unbounded).toEqual([]);
  });

  const cases: { field: string; method: 'POST' | 'PUT' | 'DELETE'; url: string; payload?: Record<string, unknown> }[] = [
    { field: 'reason', method: 'PUT', url: '/v1/config/features', payload: { document: [], reason: long } },
    { field: 'author', method: 'PUT', url: '/v1/config/features', payload: { document: [], reason: 'tidy', author: long } },
    { field: 'description', method: 'POST', url: '/v1/features', payload: { name: 'orders', kind: 'count', event: 'Order Completed', description: long } },
    { field: 'reason', method: 'POST', url: '/v1/features', payload: { name: 'orders', kind: 'count', event: 'Order Completed', reason: long } },
    { field: 'author', method: 'POST', url: '/v1/features', payload: { name: 'orders', kind: 'count', event: 'Order Completed', author: long } },
    { field: 'querystring.reason', method: 'DELETE', url: `/v1/features/orders?reason=${long}` },
    { field: 'reason', method: 'POST', url: '/v1/models/rates/promote', payload: { version: 1, force: true, reason: long } },
    { field: 'reason', method: 'POST', url: '/v1/models/rates/rollback', payload: { reason: long } },
    { field: 'note', method: 'POST', url: '/v1/flags', payload: { subject: 'ana', name: 'procurement', note: long } },
    { field: 'author', method: 'POST', url: '/v1/flags', payload: { subject: 'ana', name: 'procurement', note: 'waiting', author: long } },
    { field: 'note', method: 'POST', url: '/v1/reviews/r-1/approve', payload: { note: long } },
    { field: 'reviewer', method: 'POST', url: '/v1/reviews/r-1/reject', payload: { reviewer: long } },
    { field: 'by', method: 'POST', url: '/v1/alerts/a-1/ack', payload: { by: long } },
    { field: 'querystring.reason', method: 'DELETE', url: `/v1/tracking-plan/violations?reason=${long}` },
  ];

  it.each(cases)('$method $url: a `$field` too long is a 400 naming it', async ({ field, method, url, payload }) => {
    const r = await h.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
    expect([r.statusCode, r.json().error], r.body).toEqual([400, 'validation_failed']);
    expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual([field]);
    expect(r.json().message).toBe(`The \`${field}\` property must NOT have more than ${MAX_FREE_TEXT} characters.`);
  });

  it(`takes ${MAX_FREE_TEXT} characters`, async () => {
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/features', headers: admin, payload: { document: [], reason: 'x'.repeat(MAX_FREE_TEXT), author: 'y'.repeat(MAX_FREE_TEXT) } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ reason: 'x'.repeat(MAX_FREE_TEXT), author: 'y'.repeat(MAX_FREE_TEXT) });
  });
});
