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
 * Who changed the configuration. `config-file` is the author of the config file's own versions: a
 * start takes a version by it for the file's (and warns, when the file has no such section, that
 * the section was taken out), and a flag by it for one the file declares. Until 2026-12-05 any
 * admin could send it as `author` — a start then warned of a section the file never had — and a
 * change named its author but, when one was sent, nothing of the key that made it.
 */
describe('the author of a change made through the API', () => {
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
  const send = (method: 'PUT' | 'POST', url: string, payload: object, key = KEYS.admin) => app.inject({ method, url, headers: { authorization: bearer(key) }, payload });
  const stages = { stages: [{ name: 'any', when: 'true' }] };

  it('may not be `config-file`, in any case: a 400 naming the field, and nothing stored', async () => {
    for (const author of ['config-file', ' Config-File ']) {
      const r = await send('PUT', '/v1/config/lifecycle', { document: stages, reason: 'spoof', author });
      expect([r.statusCode, r.json().error, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, 'validation_failed', ['author']]);
      expect(r.json().message).toBe(`The \`author\` "${author.trim()}" is kept for the changes the config file makes (a start takes a version by it for the file's own): name yourself, or leave \`author\` out to be named by the key's label.`);
    }
    expect(await store.documents.latest('lifecycle')).toBeUndefined();
    const feature = await send('POST', '/v1/features', { name: 'orders', kind: 'count', event: 'Order Completed', author: 'config-file' });
    expect([feature.statusCode, feature.json().problems?.[0]?.field]).toEqual([400, 'author']);
    const flag = await send('POST', '/v1/flags', { account: 'acme', name: 'pause', note: 'n', author: 'config-file' });
    expect([flag.statusCode, flag.json().problems?.[0]?.field]).toEqual([400, 'author']);
    expect(await store.decisions.openFlags()).toEqual([]);
    const verdict = await send('POST', '/v1/reviews/r-1/approve', { reviewer: 'config-file' });
    expect([verdict.statusCode, verdict.json().problems?.[0]?.field]).toEqual([400, 'reviewer']);
    const ack = await send('POST', '/v1/alerts/a-1/ack', { by: 'config-file' }, KEYS.server);
    expect([ack.statusCode, ack.json().problems?.[0]?.field]).toEqual([400, 'by']);
  });

  it('is logged with the key that made the change, once per change (never a secret)', async () => {
    const admin = (await tact.keys.list()).find((k) => k.kind === 'admin')!;
    const named = await send('PUT', '/v1/config/lifecycle', { document: stages, reason: 'named', author: 'alice' });
    expect(named.json()).toMatchObject({ version: 1, author: 'alice' });
    await send('PUT', '/v1/config/lifecycle', { document: { stages: [] }, reason: 'unnamed' });
    const changes = lines.filter((l) => l.msg === 'configuration changed');
    expect(changes).toEqual([
      expect.objectContaining({ level: 30, kind: 'lifecycle', version: 1, author: 'alice', key: admin.id, keyLabel: admin.label }),
      expect.objectContaining({ level: 30, kind: 'lifecycle', version: 2, author: `key ${admin.label} (${admin.id.slice(0, 8)})`, key: admin.id, keyLabel: admin.label }),
    ]);
    // Flags too: the stored author is free text, the log line names the key.
    const flag = await send('POST', '/v1/flags', { account: 'acme', name: 'pause', note: 'procurement review', author: 'bob' });
    expect(flag.statusCode, flag.body).toBe(201);
    await app.inject({ method: 'DELETE', url: `/v1/flags/${flag.json().id}`, headers: { authorization: bearer(KEYS.admin) } });
    expect(lines.find((l) => l.msg === 'flag added')).toMatchObject({ flag: flag.json().id, name: 'pause', author: 'bob', key: admin.id, keyLabel: admin.label });
    expect(lines.find((l) => l.msg === 'flag cleared')).toMatchObject({ flag: flag.json().id, key: admin.id, keyLabel: admin.label });
    // A second DELETE answers the flag as it was cleared, and is not logged as a clearing (QA 2026-12-06: it was).
    const again = await app.inject({ method: 'DELETE', url: `/v1/flags/${flag.json().id}`, headers: { authorization: bearer(KEYS.admin) } });
    expect([again.statusCode, again.json().active]).toEqual([200, false]);
    expect(lines.filter((l) => l.msg === 'flag cleared')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(KEYS.admin);
  });
});
