import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';

describe('revoking keys through the API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });
  const as = (key: string) => ({ authorization: bearer(key) });
  const adminKeys = async (key: string) =>
    ((await h.app.inject({ method: 'GET', url: '/v1/keys', headers: as(key) })).json().keys as { id: string; kind: string; revokedAt: string | null }[]).filter((k) => k.kind === 'admin' && !k.revokedAt);

  it('refuses to revoke the last active admin key (nobody could change configuration or make keys through the API), and revokes it once another exists', async () => {
    const [only] = await adminKeys(KEYS.admin);
    expect(await adminKeys(KEYS.admin)).toHaveLength(1);
    const refused = await h.app.inject({ method: 'DELETE', url: `/v1/keys/${only.id}`, headers: as(KEYS.admin) });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().message).toMatch(/last active admin key/);
    expect(await adminKeys(KEYS.admin)).toHaveLength(1);

    const made = await h.app.inject({ method: 'POST', url: '/v1/keys', headers: as(KEYS.admin), payload: { kind: 'admin', label: 'successor' } });
    expect(made.statusCode, made.body).toBe(201);
    const revoked = await h.app.inject({ method: 'DELETE', url: `/v1/keys/${only.id}`, headers: as(made.json().secret) });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect((await adminKeys(made.json().secret)).map((k) => k.id)).toEqual([made.json().id]);
  });
});

describe('revoking admin keys at the same moment', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });
  const as = (key: string) => ({ authorization: bearer(key) });

  it('leaves one active admin key when two requests each revoke one of the last two', async () => {
    const made = await h.app.inject({ method: 'POST', url: '/v1/keys', headers: as(KEYS.admin), payload: { kind: 'admin', label: 'second' } });
    const list = async () => ((await h.app.inject({ method: 'GET', url: '/v1/keys', headers: as(made.json().secret) })).json().keys as { id: string; kind: string; revokedAt: string | null }[]).filter((k) => k.kind === 'admin' && !k.revokedAt);
    const [a, b] = await list();
    const answers = await Promise.all([
      h.app.inject({ method: 'DELETE', url: `/v1/keys/${a.id}`, headers: as(made.json().secret) }),
      h.app.inject({ method: 'DELETE', url: `/v1/keys/${b.id}`, headers: as(KEYS.admin) }),
    ]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const left = (await h.store.keys.list()).filter((k) => k.kind === 'admin' && k.revokedAt === null);
    expect(left).toHaveLength(1);
  });
});

describe('the key routes\' query parameters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });
  const as = (key: string) => ({ authorization: bearer(key) });

  it('refuse one, naming it, and revoke nothing (until 2026-12-05 `DELETE /v1/keys/{id}?x=1` revoked the key)', async () => {
    const made = await h.app.inject({ method: 'POST', url: '/v1/keys', headers: as(KEYS.admin), payload: { kind: 'server', label: 'reports' } });
    expect(made.statusCode, made.body).toBe(201);
    for (const [method, url] of [['DELETE', `/v1/keys/${made.json().id}?x=1`], ['GET', '/v1/keys?kind=admin'], ['POST', '/v1/keys?kind=admin']] as const) {
      const r = await h.app.inject({ method, url, headers: as(KEYS.admin), ...(method === 'POST' ? { payload: { kind: 'server', label: 'more' } } : {}) });
      expect([r.statusCode, r.json().message], `${method} ${url}: ${r.body}`).toEqual([400, `The \`querystring.${url.split('?')[1].split('=')[0]}\` property is not one this endpoint takes.`]);
    }
    expect(await h.tact.keys.authenticate(made.json().secret)).toBeDefined();
  });
});
