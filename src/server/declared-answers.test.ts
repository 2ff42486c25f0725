import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';

type Schema = Record<string, unknown>;

/**
 * The answers of the operations that declared no answer schema until 2026-12-03 are what their
 * schema in /openapi.json says, and declaring it (which Fastify serializes through) dropped no
 * field nor turned a null into something else.
 */
describe('the answers the OpenAPI document describes', () => {
  let h: Harness;
  let paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const admin = { authorization: bearer(KEYS.admin) };
  /** The answer to a request, checked against the schema the document gives its status. */
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, path: string, payload?: object, media = 'application/json') => {
    const r = await h.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
    const schema = paths[path][method.toLowerCase()].responses[String(r.statusCode)]?.content?.[media]?.schema;
    expect(schema, `${method} ${path} ${r.statusCode}: ${r.body}`).toBeDefined();
    const values = media === 'application/x-ndjson' ? r.body.trim().split('\n').map((l) => JSON.parse(l) as unknown) : [r.json() as unknown];
    for (const v of values) expect(ajv.validate(schema as Schema, v), `${method} ${path}: ${ajv.errorsText()} in ${JSON.stringify(v)}`).toBe(true);
    return { status: r.statusCode, values };
  };

  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig({ contact: {} }) });
    paths = (await h.app.inject({ url: '/openapi.json' })).json().paths;
    await h.app.inject({ method: 'POST', url: '/v1/identify', headers: { authorization: bearer(KEYS.write) }, payload: { userId: 'u1', traits: { tier: 'gold' } } });
  });
  afterAll(async () => h.close());

  it('keys: listed, made (201, the secret once) and revoked; an active key\'s revokedAt is null', async () => {
    const made = await call('POST', '/v1/keys', '/v1/keys', { kind: 'write', label: 'shop' });
    expect(made.status).toBe(201);
    const key = made.values[0] as Record<string, unknown>;
    expect(Object.keys(key).sort()).toEqual(['createdAt', 'id', 'kind', 'label', 'revokedAt', 'secret']);
    expect(key).toMatchObject({ kind: 'write', label: 'shop', revokedAt: null, secret: expect.stringMatching(/^tact_w_/) });
    const listed = (await call('GET', '/v1/keys', '/v1/keys')).values[0] as { keys: Record<string, unknown>[] };
    expect(listed.keys.find((k) => k.id === key.id)).toEqual({ id: key.id, kind: 'write', label: 'shop', createdAt: key.createdAt, revokedAt: null });
    expect((await call('DELETE', `/v1/keys/${key.id as string}`, '/v1/keys/{id}')).values).toEqual([{ revoked: key.id }]);
    const after = (await call('GET', '/v1/keys', '/v1/keys')).values[0] as { keys: Record<string, unknown>[] };
    expect(after.keys.find((k) => k.id === key.id)?.revokedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });

  it('features: listed with their hash and backfill, added (201), removed', async () => {
    const added = await call('POST', '/v1/features', '/v1/features', { name: 'logins', kind: 'count', event: 'Logged In', description: 'sign-ins' });
    expect(added.status).toBe(201);
    expect(added.values[0]).toEqual({ feature: { name: 'logins', kind: 'count', event: 'Logged In', description: 'sign-ins' }, version: expect.any(Number), backfill: { state: expect.any(String), progress: expect.any(Number) } });
    const listed = (await call('GET', '/v1/features', '/v1/features')).values[0] as { version: number; features: Record<string, unknown>[] };
    expect(listed.features.find((f) => f.name === 'logins')).toEqual({ name: 'logins', kind: 'count', event: 'Logged In', type: 'track', description: 'sign-ins', hash: expect.any(String), backfill: { state: expect.any(String), progress: expect.any(Number) } });
    expect((await call('DELETE', '/v1/features/logins', '/v1/features/{name}')).values).toEqual([{ removed: 'logins', version: listed.version + 1 }]);
  });

  it('configuration: the kinds with their versions, and a kind\'s history', async () => {
    const all = (await call('GET', '/v1/config', '/v1/config')).values[0] as { kinds: Record<string, unknown>[]; epoch: number };
    expect(all.kinds.find((k) => k.kind === 'catalog')).toEqual({ kind: 'catalog', configKey: 'catalog', description: expect.any(String), version: 1, problems: 0, warnings: 0 });
    const history = (await call('GET', '/v1/config/catalog/history', '/v1/config/{kind}/history')).values[0] as { versions: Record<string, unknown>[] };
    expect(history.versions).toHaveLength(1);
    expect(Object.keys(history.versions[0]).sort()).toEqual(['author', 'body', 'createdAt', 'kind', 'reason', 'version']);
    expect((history.versions[0].body as { actions: unknown[] }).actions.length).toBeGreaterThan(0);
  });

  it('decide/batch: each NDJSON line', async () => {
    const r = await call('POST', '/v1/decide/batch', '/v1/decide/batch', { placement: 'weekly-email', audience: 'true', includeNone: true }, 'application/x-ndjson');
    expect(r.values.map((v) => (v as { type: string }).type)).toContain('done');
  });
});
