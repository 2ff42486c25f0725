import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer } from '../../test/harness.js';
import { buildApp } from '../server/app.js';
import { Tact } from '../server/tact.js';
import { isRetryableStoreError } from '../store/open.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

/**
 * Making and revoking keys changes who may do what: the log says which key was made or revoked and
 * with which admin key, so an operator can answer "who revoked the production write key?" (the key
 * list shows when, not by whom). Until 2026-12-04 neither left a line. Never the secret.
 */
describe('the log of key management', () => {
  const lines: Record<string, unknown>[] = [];
  let store: Store;
  let tact: Tact;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
    tact = await Tact.create({ store, logger: pino({ level: 'info' }, sink), background: false, isRetryable: isRetryableStoreError });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
    app = await buildApp(tact);
  });
  afterAll(async () => {
    await app.close();
    await tact.close();
    await store.close();
  });

  it('names the key made or revoked, its kind and label, and the admin key that did it, never a secret', async () => {
    const admin = (await tact.keys.list()).find((k) => k.kind === 'admin') as { id: string };
    const made = await app.inject({ method: 'POST', url: '/v1/keys', headers: { authorization: bearer(KEYS.admin) }, payload: { kind: 'write', label: 'shop site' } });
    expect(made.statusCode).toBe(201);
    const { id, secret } = made.json() as { id: string; secret: string };
    expect(lines.find((l) => l.msg === 'key created')).toMatchObject({ key: id, kind: 'write', label: 'shop site', by: admin.id });
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: { authorization: bearer(KEYS.admin) } });
    expect(revoked.statusCode).toBe(200);
    expect(lines.find((l) => l.msg === 'key revoked')).toMatchObject({ key: id, kind: 'write', label: 'shop site', by: admin.id });
    const text = JSON.stringify(lines);
    for (const s of [secret, KEYS.admin]) expect(text).not.toContain(s);
  });
});
