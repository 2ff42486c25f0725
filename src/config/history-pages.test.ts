import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';

/**
 * Every version of a document stays readable: decisions record the policy version they ran under,
 * experiments pin versions, and a rollback is a PUT of an old body. Until 2026-12-05 the history
 * answered the newest 50 (500 at most) with no way past them and no sign of the cut, and
 * `GET /v1/config/{kind}?version=1` dropped the parameter and answered the version in force.
 */
describe('reading back every version of a configuration kind', () => {
  let h: Harness;
  const stage = (i: number) => ({ stages: [{ name: `s${i}`, when: 'true' }] });
  beforeAll(async () => {
    h = await harness('sqlite');
    for (let i = 1; i <= 60; i++) await h.tact.applyDocument('lifecycle', stage(i), { author: `ops ${i}`, reason: `edit ${i}` });
  });
  afterAll(async () => h.close());
  const versions = (r: { json(): { versions: { version: number }[] } }) => r.json().versions.map((v) => v.version);

  it('pages the history newest first: `next` is the `before` of the next page, null on the last', async () => {
    const first = await get(h.app, '/v1/config/lifecycle/history');
    expect(first.statusCode, first.body).toBe(200);
    expect(versions(first)).toEqual(Array.from({ length: 50 }, (_, i) => 60 - i));
    expect(first.json().next).toBe(11);
    const last = await get(h.app, '/v1/config/lifecycle/history?before=11');
    expect(versions(last)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(last.json().next).toBeNull();
    expect(last.json().versions.at(-1)).toMatchObject({ version: 1, author: 'ops 1', reason: 'edit 1', body: stage(1) });
    // Page by page, every version once.
    const seen: number[] = [];
    let before: number | null | undefined;
    do {
      const page = await get(h.app, `/v1/config/lifecycle/history?limit=25${before ? `&before=${before}` : ''}`);
      seen.push(...versions(page));
      before = page.json().next;
    } while (before);
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => 60 - i));
    // A page that ends exactly at version 1 says there is nothing older; so does a kind never written.
    expect((await get(h.app, '/v1/config/lifecycle/history?limit=10&before=11')).json().next).toBeNull();
    expect((await get(h.app, '/v1/config/segments/history')).json()).toEqual({ versions: [], next: null });
    // Without the documents: the same versions and pages, each one's author, reason and time, no body.
    const bare = await get(h.app, '/v1/config/lifecycle/history?bodies=false&limit=25&before=30');
    const full = await get(h.app, '/v1/config/lifecycle/history?limit=25&before=30');
    expect(bare.json().next).toBe(full.json().next);
    expect(bare.json().versions).toEqual(full.json().versions.map(({ body, ...v }: { body: unknown }) => ({ ...v, bytes: Buffer.byteLength(JSON.stringify(body)) })));
    expect(bare.json().versions[0]).toEqual({ kind: 'lifecycle', version: 29, author: 'ops 29', reason: 'edit 29', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), bytes: 41 });
  });

  it('reads any stored version with `?version=`, and names a version the kind does not have', async () => {
    const one = await get(h.app, '/v1/config/lifecycle?version=1');
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ kind: 'lifecycle', version: 1, author: 'ops 1', reason: 'edit 1', body: stage(1), problems: [], warnings: [] });
    expect((await get(h.app, '/v1/config/lifecycle?version=60')).json()).toEqual((await get(h.app, '/v1/config/lifecycle')).json());
    const missing = await get(h.app, '/v1/config/lifecycle?version=61');
    expect([missing.statusCode, missing.json().error, missing.json().message]).toEqual([404, 'not_found', 'No `lifecycle` version (the versions are 1 to 60) matches `61`.']);
    expect(missing.json().problems).toEqual([{ field: 'querystring.version', message: missing.json().message }]);
    expect((await get(h.app, '/v1/config/segments?version=1')).json().message).toBe('No `segments` version (none is written yet) matches `1`.');
    for (const q of ['version=0', 'version=one']) {
      const r = await get(h.app, `/v1/config/lifecycle?${q}`);
      expect([r.statusCode, r.json().problems?.[0]?.field], q).toEqual([400, 'querystring.version']);
    }
  });

  it('answers of an old version what a PUT of it now (a rollback) would be refused for', async () => {
    const admin = { authorization: bearer(KEYS.admin) };
    const put = (kind: string, document: unknown) => h.app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: admin, payload: { document, reason: 'test' } });
    expect((await put('features', [{ name: 'orders', kind: 'count', event: 'Order Completed' }])).statusCode).toBe(200);
    const reads = await put('lifecycle', { stages: [{ name: 'buyer', when: 'features.orders > 0.0' }] });
    expect(reads.statusCode, reads.body).toBe(200);
    expect((await put('lifecycle', stage(0))).statusCode).toBe(200);
    expect((await put('features', [])).statusCode).toBe(200);
    const old = (await get(h.app, `/v1/config/lifecycle?version=${reads.json().version}`)).json();
    expect(old.body).toEqual({ stages: [{ name: 'buyer', when: 'features.orders > 0.0' }] });
    expect(old.problems.map((p: { field: string }) => p.field)).toEqual(['stages[0].when']);
    expect((await put('lifecycle', old.body)).json().problems).toEqual(old.problems);
  });

  it('refuses a query parameter the route does not read, where it was dropped unseen', async () => {
    for (const url of ['/v1/config/lifecycle?verson=1', '/v1/config/lifecycle/history?after=x', '/v1/config?kind=policy']) {
      const r = await get(h.app, url);
      expect([r.statusCode, r.json().error], url).toEqual([400, 'validation_failed']);
      expect(r.json().message, url).toMatch(/^The `querystring\.\w+` property is not one this endpoint takes\.$/);
    }
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/lifecycle?expectedVersion=1', headers: { authorization: bearer(KEYS.admin) }, payload: { document: stage(99), reason: 'stale' } });
    expect([put.statusCode, put.json().message]).toEqual([400, 'The `querystring.expectedVersion` property is not one this endpoint takes.']);
  });

  it('answers at most 16 MiB of documents a page, whatever the limit, one version always: the next page says where the rest starts', async () => {
    // Written straight to the store (no kind's checks read them): three versions of 7 MiB each.
    const big = (i: number) => ({ audiences: [], pad: String(i).repeat(7 * 1024 * 1024) });
    for (let i = 1; i <= 3; i++) await h.store.documents.put('segments', big(i), { author: 'ops', reason: `big ${i}` });
    const first = await get(h.app, '/v1/config/segments/history?limit=3');
    expect([first.json().versions.map((v: { version: number }) => v.version), first.json().next]).toEqual([[3, 2], 2]);
    expect(first.json().versions[1].body).toEqual(big(2));
    const rest = await get(h.app, '/v1/config/segments/history?limit=3&before=2');
    expect([rest.json().versions.map((v: { version: number }) => v.version), rest.json().next]).toEqual([[1], null]);
    // Without bodies, the limit alone.
    const bare = (await get(h.app, '/v1/config/segments/history?limit=3&bodies=false')).json();
    expect([bare.versions.map((v: { bytes: number }) => v.bytes), bare.next]).toEqual([[7 * 1024 * 1024 + 25, 7 * 1024 * 1024 + 25, 7 * 1024 * 1024 + 25], null]);
  });

  it('are described in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const query = (path: string) => (doc.paths[path].get.parameters as { in: string; name: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query('/v1/config/{kind}')).toEqual(['version']);
    expect(query('/v1/config/{kind}/history').sort()).toEqual(['before', 'bodies', 'limit']);
    const answer = doc.paths['/v1/config/{kind}/history'].get.responses['200'].content['application/json'].schema;
    expect(answer.required).toEqual(['versions', 'next']);
    expect(answer.properties.next).toMatchObject({ type: 'integer', nullable: true });
  });
});
