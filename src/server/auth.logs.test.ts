import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { isRetryableStoreError } from '../store/open.js';
import type { Store } from '../store/store.js';
import { buildApp } from './app.js';
import { Tact } from './tact.js';

/**
 * The server's log holds no secret: requests are not logged (app.ts), refusals log their code, id
 * and path, and the messages of key faults never quote what was sent (auth.ts). Logged at trace.
 */
describe('the log of requests carrying keys', () => {
  const W = 'tact_w_log-check-write-0123456789abcdefghijk';
  const S = 'tact_s_log-check-server-0123456789abcdefghij';
  const A = 'tact_a_log-check-admin-0123456789abcdefghijk';
  const lines: string[] = [];
  let store: Store;
  let tact: Tact;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    tact = await Tact.create({ store, logger: pino({ level: 'trace' }, sink), background: false, isRetryable: isRetryableStoreError });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: W, TACT_SERVER_KEY: S, TACT_ADMIN_KEY: A });
    app = await buildApp(tact);
  });
  afterAll(async () => {
    await app.close();
    await tact.close();
    await store.close();
  });

  it('never holds a key, sent right or wrong, in a header or a body', async () => {
    const basic = (k: string) => `Basic ${Buffer.from(`${k}:`).toString('base64')}`;
    const track = { userId: 'ana', event: 'Signed Up' };
    for (const authorization of [`Bearer ${A}`, `Bearer ${S}`, `Bearer ${A}x`, `Bearer ${A} ${A}`, A, basic(A), basic(`${W}x`), `Token ${S}`]) {
      await app.inject({ method: 'GET', url: '/v1/keys', headers: { authorization } });
      await app.inject({ method: 'POST', url: '/v1/track', headers: { authorization }, payload: track });
    }
    await app.inject({ method: 'POST', url: '/v1/track', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ ...track, writeKey: W }) });
    await app.inject({ method: 'POST', url: '/v1/outcomes', payload: { type: 'purchase', subject: 'ana', writeKey: S } });
    await app.inject({ method: 'POST', url: '/v1/keys', headers: { authorization: `Bearer ${A}` }, payload: { kind: 'write', label: 'shop', secret: W } });
    const log = lines.join('');
    expect(log).toContain('invalid_credentials'); // the refusals were logged
    for (const secret of [W, S, A]) expect(log).not.toContain(secret.slice(7));
    expect(log).not.toContain(Buffer.from(`${A}:`).toString('base64'));
  });
});
