import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, type Harness } from '../../test/harness.js';

/**
 * docs/keys.md, "kind | may": the key each operation of the API takes, checked by asking every
 * operation of the OpenAPI document with no key, the write key and the server key. A key of too
 * weak a kind is a 403 and no key a 401, whatever the body.
 */
/** And GET /metrics unless TACT_METRICS_TOKEN is set (ops/routes.test.ts). */
const OPEN = ['GET /health', 'GET /metrics', 'GET /tact/browser.js', 'GET /tact/client.js', 'GET /tact/operations.js'];
/** Send events; ask for a decision at a public placement; report the outcome of a named decision. */
const WRITE = ['POST /v1/track', 'POST /v1/identify', 'POST /v1/page', 'POST /v1/screen', 'POST /v1/group', 'POST /v1/alias', 'POST /v1/batch', 'POST /v1/decide', 'POST /v1/outcomes'];
/** Change configuration, features, flags and reviews; models; keys; a monitors step; clear violations. */
const ADMIN = [
  'DELETE /v1/tracking-plan/violations', 'POST /v1/features', 'DELETE /v1/features/{name}', 'PUT /v1/config/{kind}', 'PUT /v1/config',
  'GET /v1/keys', 'POST /v1/keys', 'DELETE /v1/keys/{id}', 'POST /v1/flags', 'DELETE /v1/flags/{id}',
  'POST /v1/reviews/{id}/approve', 'POST /v1/reviews/{id}/reject', 'POST /v1/models/{name}/train',
  'POST /v1/models/{name}/promote', 'POST /v1/models/{name}/rollback', 'POST /v1/monitors/step',
];

describe('the kind of key each operation takes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
    await h.app.ready();
  });
  afterAll(async () => h.close());

  it('is what docs/keys.md says: open, write, admin, and server for every other', async () => {
    const paths = (h.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
    const seen: Record<string, string> = {};
    for (const [path, ops] of Object.entries(paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const ask = async (key?: string) => (await h.app.inject({
          method: method.toUpperCase() as 'GET', url,
          headers: key ? { authorization: `Bearer ${key}` } : {},
          ...(method === 'get' || method === 'delete' ? {} : { payload: {} }),
        })).statusCode;
        const op = `${method.toUpperCase()} ${path}`;
        seen[op] = (await ask()) !== 401 ? 'open' : (await ask(KEYS.write)) !== 403 ? 'write' : (await ask(KEYS.server)) !== 403 ? 'server' : 'admin';
      }
    }
    const expected = Object.fromEntries(Object.keys(seen).map((op) => [op, OPEN.includes(op) ? 'open' : WRITE.includes(op) ? 'write' : ADMIN.includes(op) ? 'admin' : 'server']));
    expect(seen).toEqual(expected);
    for (const op of [...OPEN, ...WRITE, ...ADMIN]) expect(Object.keys(seen), op).toContain(op);
  });
});
